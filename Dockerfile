FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=config.settings.production
WORKDIR /app
COPY pyproject.toml README.md ./
COPY config ./config
COPY departments ./departments
COPY responsibility_lists ./responsibility_lists
COPY demands ./demands
COPY dispatch ./dispatch
COPY templates ./templates
COPY static ./static
COPY manage.py ./
RUN pip install --no-cache-dir . \
 && SECRET_KEY=collectstatic TRUSTED_PROXIES=0 PERSONAL_DATA_KEYS=Pq3ADmgTqZeYjYRoWSRo0GEnXAZ6fRrwuPwQiPUQYfU= DATABASE_URL=sqlite:////tmp/x.db CELERY_BROKER_URL=memory:// python manage.py collectstatic --no-input
RUN useradd --create-home minsheng && mkdir -p /app/media && chown minsheng /app/media
USER minsheng
EXPOSE 8000
