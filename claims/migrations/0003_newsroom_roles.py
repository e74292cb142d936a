"""Create the newsroom's roles as groups, each including the permissions of the one before.

Researcher → Editor → Publisher. Who may do what in the workflow is decided by these permissions
(``claims.submit_claim``, ``claims.review_claim``, ``claims.publish_claim``) plus the four-eyes rule
in ``claims.workflow``, which no permission — not even a superuser's — bypasses.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

RESEARCHER = [
    *(
        f"sources.{verb}_{model}"
        for verb in ("add", "change", "view")
        for model in ("outlet", "source", "actor", "actoralias", "place", "placealias")
    ),
    *(
        f"claims.{verb}_{model}"
        for verb in ("add", "change", "view")
        for model in ("claim", "claimtranslation", "appearance", "verdict", "verdicttext", "evidence", "topic")
    ),
    "claims.delete_claim",  # drafts only: the workflow refuses anything public
    "claims.delete_claimtranslation",
    "claims.delete_appearance",
    "claims.delete_verdicttext",
    "claims.delete_evidence",
    "sources.delete_actoralias",
    "sources.delete_placealias",
    *(f"claims.view_{model}" for model in ("rating", "ratinglabel", "reviewevent", "correction", "verdictversion")),
    "claims.submit_claim",
]
EDITOR = [*RESEARCHER, "claims.review_claim", "sources.delete_source", "sources.delete_actor"]
PUBLISHER = [
    *EDITOR,
    "claims.publish_claim",
    *(f"claims.{verb}_{model}" for verb in ("add", "change") for model in ("rating", "ratinglabel")),
]
ROLES = {"Researcher": RESEARCHER, "Editor": EDITOR, "Publisher": PUBLISHER}


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; roles need them now.
    for app_config in apps.get_app_configs():
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = models_module or True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _created = Group.objects.get_or_create(name=name)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permissions.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0002_appearance_quote_triggers"),
        ("sources", "0001_outlets_sources_actors_places"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
