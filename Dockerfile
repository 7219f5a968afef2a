FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY loaders ./loaders
COPY api ./api
COPY cypher ./cypher
COPY ownergraph ./ownergraph
RUN pip install --no-cache-dir .
ENV OWNERGRAPH_HOST=0.0.0.0
EXPOSE 8000
CMD ["ownergraph", "serve", "--host", "0.0.0.0", "--port", "8000"]
