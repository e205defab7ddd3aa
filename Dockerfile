FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/copy-assets.mjs scripts/
RUN npm ci --no-audit --no-fund && npm run build

FROM python:3.11-slim AS messages
RUN apt-get update && apt-get install -y --no-install-recommends gettext && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY locale locale
RUN find locale -name django.po -execdir msgfmt --check -o django.mo django.po \;

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
COPY --from=assets /app/static/vendor static/vendor
COPY --from=messages /app/locale locale
RUN useradd --create-home sidebar && chown -R sidebar /app
USER sidebar
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.conf.py"]
