"""The read-only JSON API, /api/v1/ (Django REST framework, OpenAPI by drf-spectacular).

``views`` holds the endpoints and the access rule, ``serializers`` what each shows,
``schema`` the OpenAPI additions, ``urls`` the routes. Session authentication serves the
browser, token authentication (``Authorization: Token …``) machines; anonymous requests
are refused. Lists are paginated.
"""
