"""The router's models went to routing, the export job to assessment; their tables stay."""


from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('routing', '0001_models_from_dispatch'),
        ('assessment', '0001_export_job_from_dispatch'),
        ('dispatch', '0019_impact_previews_kept_per_draft'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='CategoryThreshold',
                ),
                migrations.RemoveField(
                    model_name='exportjob',
                    name='requested_by',
                ),
                migrations.RemoveField(
                    model_name='historicalcase',
                    name='department',
                ),
                migrations.RemoveField(
                    model_name='impactpreview',
                    name='baseline',
                ),
                migrations.RemoveField(
                    model_name='impactpreview',
                    name='draft',
                ),
                migrations.RemoveField(
                    model_name='impactpreview',
                    name='requested_by',
                ),
                migrations.DeleteModel(
                    name='RoutingModel',
                ),
                migrations.RemoveField(
                    model_name='routingresult',
                    name='demand',
                ),
                migrations.RemoveField(
                    model_name='routingresult',
                    name='list_version',
                ),
                migrations.DeleteModel(
                    name='ExportJob',
                ),
                migrations.DeleteModel(
                    name='HistoricalCase',
                ),
                migrations.DeleteModel(
                    name='ImpactPreview',
                ),
                migrations.DeleteModel(
                    name='RoutingResult',
                ),
            ],
        ),
    ]
