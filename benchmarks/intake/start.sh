#!/usr/bin/env bash
# Starts the platform for the peer harness's OURS_START_CMD (benchmarks/intake/run.py sets it):
# production settings plus the bare endpoint, gunicorn with WORKERS sync workers on
# 127.0.0.1:$OURS_PORT, the harness's throwaway database ($OURS_DATABASE_URL), Redis DB 13 as
# broker and cache (no worker: intake alone is measured), limits raised out of the way.
set -eu
cd "${PROJECT:-$PWD}"
V=${OURS_VENV:-.venv}
export DATABASE_URL=$OURS_DATABASE_URL DJANGO_SETTINGS_MODULE=benchmarks.intake.settings \
  SECRET_KEY=bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz TRUSTED_PROXIES=0 \
  PERSONAL_DATA_KEYS=${PERSONAL_DATA_KEYS:-$($V/bin/python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')} \
  CELERY_BROKER_URL=redis://127.0.0.1:6379/13 CITIZEN_THROTTLE_RATE=100000000/hour CITIZEN_SUBMIT_ADDRESS_RATE=100000000/hour \
  ALLOWED_HOSTS=127.0.0.1,localhost SECURE_COOKIES=false SECURE_SSL_REDIRECT=false \
  EMAIL_BACKEND=django.core.mail.backends.dummy.EmailBackend
$V/bin/python manage.py migrate -v0
$V/bin/python manage.py load_sample_district >/dev/null
$V/bin/python manage.py collectstatic --no-input -v0 >/dev/null
setsid $V/bin/gunicorn -w "${WORKERS:-4}" -b "127.0.0.1:${OURS_PORT:-18090}"\
  config.wsgi >/tmp/ours-gunicorn.log 2>&1 &
echo $! >/tmp/ours.pid
