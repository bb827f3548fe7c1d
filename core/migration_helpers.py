"""Helpers for migrations: moving a model from one app to another without touching its rows; the triggers that
make every write to a table count in ``core.changes.data_version``."""

from django.db import migrations


def move_content_types(moves):
    """A RunPython function giving the moved models' content types (and so their permissions and admin
    history) to their new app. ``moves``: ``[(old_app, new_app, model_name), ...]``."""

    def forwards(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        for old_app, new_app, model in moves:
            if not content_type.objects.filter(app_label=new_app, model=model).exists():
                content_type.objects.filter(app_label=old_app, model=model).update(app_label=new_app)

    def backwards(apps, schema_editor):
        content_type = apps.get_model("contenttypes", "ContentType")
        for old_app, new_app, model in moves:
            if not content_type.objects.filter(app_label=old_app, model=model).exists():
                content_type.objects.filter(app_label=new_app, model=model).update(app_label=old_app)

    return forwards, backwards


_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION core_note_data_change() RETURNS trigger AS $$
BEGIN
    INSERT INTO core_datachange (weight) VALUES (1);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql
"""
_SQLITE_NOTE = (
    "INSERT INTO core_datachange (id, weight) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET weight = weight + 1"
)


def _trigger(table: str, event: str) -> str:
    return f"hse_change_{table}_{event.lower()}"


def _install(schema_editor, tables):
    execute = schema_editor.execute
    if schema_editor.connection.vendor == "postgresql":
        execute(_PG_FUNCTION)
        for table in tables:
            execute(f'DROP TRIGGER IF EXISTS {_trigger(table, "all")} ON "{table}"')
            execute(
                f'CREATE TRIGGER {_trigger(table, "all")} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION core_note_data_change()"
            )
    elif schema_editor.connection.vendor == "sqlite":
        for table in tables:
            for event in ("INSERT", "UPDATE", "DELETE"):
                execute(f"DROP TRIGGER IF EXISTS {_trigger(table, event)}")
                execute(f'CREATE TRIGGER {_trigger(table, event)} AFTER {event} ON "{table}" BEGIN {_SQLITE_NOTE}; END')


def _remove(schema_editor, tables):
    execute = schema_editor.execute
    for table in tables:
        if schema_editor.connection.vendor == "postgresql":
            execute(f'DROP TRIGGER IF EXISTS {_trigger(table, "all")} ON "{table}"')
        elif schema_editor.connection.vendor == "sqlite":
            for event in ("INSERT", "UPDATE", "DELETE"):
                execute(f"DROP TRIGGER IF EXISTS {_trigger(table, event)}")


def watch_changes(*tables: str) -> migrations.RunPython:
    """The migration operation that makes every write to ``tables`` count in ``data_version``."""
    return migrations.RunPython(
        lambda apps, schema_editor: _install(schema_editor, tables),
        lambda apps, schema_editor: _remove(schema_editor, tables),
        elidable=False,
    )
