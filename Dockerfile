FROM node:20-slim AS assets
WORKDIR /app
COPY package.json package-lock.json ./
COPY scripts/copy-assets.mjs scripts/
RUN npm ci --no-audit --no-fund && npm run build

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
COPY --from=assets /app/static/vendor static/vendor
RUN useradd --create-home sidebar && chown -R sidebar /app
USER sidebar
EXPOSE 8000
CMD ["gunicorn", "-c", "config/gunicorn.conf.py"]
