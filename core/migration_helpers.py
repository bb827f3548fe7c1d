"""Helpers for migrations that move a model from one app to another without touching its rows."""


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
