"""Give the newsroom's roles the ingestion models: everyone who writes claims works through claim
candidates and reads snapshots and other newsrooms' reviews; editors and publishers also run ClaimReview
imports and keep the rating mapping."""

import importlib

from django.db import migrations

READ = [
    "claims.view_claimcandidate",
    "claims.change_claimcandidate",
    "sources.view_sourcesnapshot",
    "claims.view_externalreview",
    "claims.view_ratingmapping",
    "claims.view_importrun",
]
RUN_IMPORTS = [*READ, "claims.add_ratingmapping", "claims.change_ratingmapping", "claims.add_importrun"]
ROLES = {"Researcher": READ, "Editor": RUN_IMPORTS, "Publisher": RUN_IMPORTS}


def grant(apps, schema_editor):
    importlib.import_module("claims.migrations.0005_reader_inbox_roles").grant_permissions(apps, ROLES)


def revoke(apps, schema_editor):
    importlib.import_module("claims.migrations.0005_reader_inbox_roles").revoke_permissions(apps, ROLES)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0010_candidates_claimreview_import"),
        ("claims", "0005_reader_inbox_roles"),
        ("sources", "0002_source_fetching_snapshots"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
