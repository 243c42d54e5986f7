"""The router's models, moved from dispatch without moving data: their tables keep their names."""


import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ['routingresult', 'historicalcase', 'routingmodel', 'categorythreshold', 'impactpreview']


def _content_types_follow(apps, schema_editor):
    # Permissions and admin history hang on the content type: they follow the models.
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="dispatch", model__in=MOVED).update(app_label="routing")


def _content_types_go_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="routing", model__in=MOVED).update(app_label="dispatch")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('dispatch', '0019_impact_previews_kept_per_draft'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('demands', '0018_append_only_phone_searches'),
        ('departments', '0003_login_failure'),
        ('responsibility_lists', '0005_amendments'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='CategoryThreshold',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('category_name', models.CharField(max_length=100, unique=True, verbose_name='大类名称')),
                        ('threshold', models.FloatField(validators=[django.core.validators.MinValueValidator(0.0), django.core.validators.MaxValueValidator(1.0)], verbose_name='自动派单置信度')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                    ],
                    options={
                        'verbose_name': '分类自动派单阈值',
                        'verbose_name_plural': '分类自动派单阈值',
                        'db_table': 'dispatch_categorythreshold',
                        'ordering': ['category_name'],
                    },
                ),
                migrations.CreateModel(
                    name='HistoricalCase',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('external_id', models.CharField(blank=True, max_length=64, verbose_name='原编号')),
                        ('title', models.CharField(blank=True, max_length=255, verbose_name='标题')),
                        ('content', models.TextField(verbose_name='内容')),
                        ('location_text', models.CharField(blank=True, max_length=255, verbose_name='地点')),
                        ('submitted_at', models.DateTimeField(blank=True, null=True)),
                        ('matter_code', models.CharField(blank=True, max_length=32, verbose_name='事项编码')),
                        ('imported_at', models.DateTimeField(auto_now_add=True)),
                        ('department', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='departments.department')),
                    ],
                    options={
                        'verbose_name': '历史案例',
                        'verbose_name_plural': '历史案例',
                        'db_table': 'dispatch_historicalcase',
                        'ordering': ['pk'],
                    },
                ),
                migrations.CreateModel(
                    name='RoutingModel',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('version', models.CharField(max_length=40, unique=True)),
                        ('trained_at', models.DateTimeField()),
                        ('sample_count', models.PositiveIntegerField()),
                        ('classes', models.JSONField(default=list)),
                        ('blob', models.BinaryField()),
                        ('sha256', models.CharField(max_length=64)),
                        ('is_active', models.BooleanField(default=False)),
                        ('metrics', models.JSONField(blank=True, default=dict)),
                    ],
                    options={
                        'verbose_name': '路由模型',
                        'verbose_name_plural': '路由模型',
                        'db_table': 'dispatch_routingmodel',
                        'ordering': ['-trained_at'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('is_active', True)), fields=('is_active',), name='one_active_routing_model')],
                    },
                ),
                migrations.CreateModel(
                    name='RoutingResult',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('router_version', models.CharField(max_length=64)),
                        ('candidates', models.JSONField(default=list)),
                        ('confidence', models.FloatField()),
                        ('auto_dispatched', models.BooleanField()),
                        ('resolved_location', models.JSONField(default=dict)),
                        ('created_at', models.DateTimeField()),
                        ('demand', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='routing_results', to='demands.demand')),
                        ('list_version', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='responsibility_lists.listversion')),
                    ],
                    options={
                        'verbose_name': '路由结果',
                        'verbose_name_plural': '路由结果',
                        'db_table': 'dispatch_routingresult',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ImpactPreview',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('months', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(24)])),
                        ('since', models.DateTimeField()),
                        ('draft_fingerprint', models.CharField(max_length=64)),
                        ('model_version', models.CharField(blank=True, max_length=40)),
                        ('status', models.CharField(choices=[('queued', '排队中'), ('running', '计算中'), ('done', '已完成'), ('failed', '失败')], default='queued', max_length=16, verbose_name='状态')),
                        ('demands_done', models.PositiveIntegerField(default=0)),
                        ('demands_total', models.PositiveIntegerField(default=0)),
                        ('attempt', models.PositiveIntegerField(default=0)),
                        ('result', models.JSONField(blank=True, default=dict)),
                        ('error', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('baseline', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='responsibility_lists.listversion')),
                        ('draft', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='responsibility_lists.listversion')),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': '影响预览',
                        'verbose_name_plural': '影响预览',
                        'db_table': 'dispatch_impactpreview',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['draft', 'months', 'created_at'], name='impact_preview_latest_idx')],
                    },
                ),
            ],
        ),
        migrations.RunPython(_content_types_follow, _content_types_go_back),
    ]
