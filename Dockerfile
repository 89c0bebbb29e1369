# Brukarröst: one image for the app. Not built on the development machine (no Docker there);
# see docs/deployment.md.
FROM python:3.10-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    BRUKARROST_HOST=0.0.0.0 BRUKARROST_PORT=5005 LOG_FORMAT=json
WORKDIR /app

RUN apt-get update && apt-get install -y --no-install-recommends build-essential \
    && rm -rf /var/lib/apt/lists/*

# dependencies first, for the layer cache (one resolver pass with rasa==3.6.21)
COPY pyproject.toml README.md ./
COPY bot/__init__.py bot/__init__.py
COPY storage/__init__.py storage/__init__.py
COPY nlu/__init__.py nlu/__init__.py
RUN pip install --no-cache-dir -e .

COPY . .
# the NLU model and the scale reader are trained into the image, so a container starts
# without training
RUN brukarrost train && useradd --system --home /app brukarrost \
    && mkdir -p var && chown -R brukarrost /app/var /app/models
USER brukarrost

EXPOSE 5005
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:5005/health', timeout=4)"
# migrations run at start-up (once, in the parent, before the workers)
CMD ["brukarrost", "serve"]
