FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-cache-dir --prefix=/install .

FROM python:3.11-slim
RUN useradd --create-home --uid 10001 luna
COPY --from=build /install /usr/local
WORKDIR /app
COPY alembic ./alembic
ENV LUNA_HOST=0.0.0.0 LUNA_PORT=8000 LUNA_ALEMBIC_DIR=/app/alembic LUNA_ENV=production
USER luna
EXPOSE 8000
# Migrations run at every container start, before the server (`serve` migrates too, a no-op
# at head). Replicas starting together are safe: each run holds a PostgreSQL advisory lock
# while it migrates (alembic/env.py), so they take turns and the later ones find head.
CMD ["sh", "-c", "luna-graphql migrate && exec luna-graphql serve"]
