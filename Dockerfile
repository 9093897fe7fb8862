# One image for web, worker and beat (docker-compose.yml picks the command).
# The entry points are the ones .ci/run proves natively: gunicorn jobvaekst.wsgi:application,
# celery -A jobvaekst worker, celery -A jobvaekst beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH

# WeasyPrint (the committee PDFs) needs Pango and a font; backup_db needs pg_dump.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN pip install --no-cache-dir "uv==0.13.9"

WORKDIR /app

# Dependencies first, so this layer is reused until pyproject.toml or uv.lock change.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-dev --no-cache

COPY . .

# Static files are baked into the image and served by whitenoise. DEBUG=0 selects the
# hashed manifest storage and demands a SECRET_KEY; this dummy one is never kept.
RUN DEBUG=0 SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput

# Run as an unprivileged user; /app/var is the one place it may write (beat's schedule).
RUN useradd --system --uid 10001 --create-home --home-dir /home/app app \
    && mkdir -p /app/var \
    && chown app:app /app/var
USER app

EXPOSE 8000
# Extra gunicorn options (e.g. --workers) can be given in GUNICORN_CMD_ARGS.
CMD ["gunicorn", "jobvaekst.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
