FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

COPY pyproject.toml README.md ./
RUN pip install .

COPY . .
# collectstatic needs settings to load; these values exist only for this build step.
RUN DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=build \
    DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput

RUN useradd --system --uid 1000 newsportal && mkdir -p /app/media && chown newsportal /app/media
USER newsportal

EXPOSE 8000
CMD ["gunicorn", "newsportal.wsgi:application", "--config", "gunicorn.conf.py"]
