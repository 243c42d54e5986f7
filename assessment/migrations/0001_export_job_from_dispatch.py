"""The export job, moved from dispatch without moving data: its table keeps its name."""


import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = ['exportjob']


def _content_types_follow(apps, schema_editor):
    # Permissions and admin history hang on the content type: they follow the models.
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="dispatch", model__in=MOVED).update(app_label="assessment")


def _content_types_go_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.filter(app_label="assessment", model__in=MOVED).update(app_label="dispatch")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('dispatch', '0019_impact_previews_kept_per_draft'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ExportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('demands', '诉求'), ('events', '事件日志'), ('figures', '统计数据'), ('dispatch_quality', '分拨质量')], max_length=16, verbose_name='导出内容')),
                        ('format', models.CharField(choices=[('csv', 'CSV'), ('xlsx', 'Excel (XLSX)')], max_length=8, verbose_name='格式')),
                        ('filters', models.JSONField(default=dict)),
                        ('language', models.CharField(choices=[('zh-hans', '简体中文'), ('en', 'English')], db_default='zh-hans', default='zh-hans', max_length=16, verbose_name='文件语言')),
                        ('status', models.CharField(choices=[('queued', '排队中'), ('running', '生成中'), ('done', '已完成'), ('failed', '失败')], default='queued', max_length=16, verbose_name='状态')),
                        ('rows_done', models.PositiveIntegerField(default=0)),
                        ('rows_total', models.PositiveIntegerField(default=0)),
                        ('attempt', models.PositiveIntegerField(default=0)),
                        ('file', models.FileField(blank=True, upload_to='exports/')),
                        ('error', models.TextField(blank=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('started_at', models.DateTimeField(blank=True, null=True)),
                        ('finished_at', models.DateTimeField(blank=True, null=True)),
                        ('requested_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name': '导出任务',
                        'verbose_name_plural': '导出任务',
                        'db_table': 'dispatch_exportjob',
                        'ordering': ['-created_at'],
                        'indexes': [models.Index(fields=['requested_by', 'created_at'], name='dispatch_ex_request_6be19d_idx')],
                    },
                ),
            ],
        ),
        migrations.RunPython(_content_types_follow, _content_types_go_back),
    ]
