"""On PostgreSQL, refuse any UPDATE or DELETE of a published edition.

The model refuses it too; the trigger also stops raw SQL, bulk ``update()`` and the
admin. SQLite (the embedded default) relies on the model alone.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION evaluations_edition_frozen() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'En udgivet udgave kan ikke ændres eller slettes (udgave %)', OLD.id
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER evaluations_edition_frozen
    BEFORE UPDATE OR DELETE ON evaluations_edition
    FOR EACH ROW EXECUTE FUNCTION evaluations_edition_frozen();
"""

DROP = """
DROP TRIGGER IF EXISTS evaluations_edition_frozen ON evaluations_edition;
DROP FUNCTION IF EXISTS evaluations_edition_frozen();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("evaluations", "0004_edition")]

    operations = [migrations.RunPython(forwards, backwards)]
