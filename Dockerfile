# The portal's container image: one image for the web server, the task worker and
# the scheduler (compose.yaml runs it three ways; docs/deploy.md explains).
#
#   docker build -t send-portal .
#   docker run --env-file .env -p 8000:8000 send-portal              # the web server
#   docker run --env-file .env send-portal scripts/serve worker      # the task worker
#
# Python 3.13 on Debian 13 (trixie): Django 6.1 needs Python 3.12 or newer, and
# WeasyPrint (the reports' PDFs) needs Pango and HarfBuzz from Debian. Liberation
# fonts stand in for Arial in the PDFs; pg_dump and pg_restore make and restore
# backups (manage.py backup_portal). It runs as an unprivileged user.
FROM python:3.13-slim-trixie

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-liberation \
        postgresql-client \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 portal \
    && useradd --system --uid 10001 --gid portal --home-dir /home/portal --create-home \
        --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, so a change to the code alone does not reinstall them: exactly
# the packages the lock file names, each checked against its hash.
COPY requirements.lock ./
RUN python -m venv .venv && .venv/bin/pip install --require-hashes --no-deps -r requirements.lock

COPY . .

# The portal's own code compiled to bytecode in the image. The container runs as a user
# who cannot write beside the code (and PYTHONDONTWRITEBYTECODE is set), so without this
# every process start compiles its 38,000 lines again: each web worker (gunicorn
# starts a new one every thousand or so requests), the task worker, the scheduler's
# commands, each about half a second of CPU before it can answer. The packages' own code
# was compiled as pip installed it.
RUN .venv/bin/python -m compileall -q -j 0 -x '/\.venv/' /app

# Static files are collected into the image, hashed and compressed, so no start-up
# needs to write them (and no page fails for want of their manifest). The key is a
# placeholder for this one command; the running container needs its own SECRET_KEY.
RUN DEBUG=false SECRET_KEY=only-for-collectstatic-while-building-the-image \
        VAR_DIR=/app/var STATIC_ROOT=/app/staticfiles \
        .venv/bin/python manage.py collectstatic --no-input --verbosity 0 \
    && rm -rf /app/var && mkdir -p /app/var/media && chown -R portal:portal /app/var

# Uploaded evidence and generated reports live under /app/var/media: mount a volume there.
VOLUME ["/app/var/media"]

ENV DEBUG=false \
    VAR_DIR=/app/var \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/staticfiles \
    COLLECTSTATIC=false \
    BIND=0.0.0.0:8000 \
    PATH=/app/.venv/bin:$PATH

USER portal
EXPOSE 8000

# The web server's own health (database, cache, storage); /healthz also checks the worker.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz/web', timeout=4).status != 200)"]

CMD ["scripts/serve", "web"]
