FROM python:3.11-slim
WORKDIR /app
# what pyproject.toml builds: ownergraph/ links graph/, loaders/, api/ and cypher/ (../graph and so on),
# so they are copied beside it; benchmarks/ and tests/ stay out of the image (.dockerignore)
COPY pyproject.toml README.md ./
COPY graph ./graph
COPY loaders ./loaders
COPY api ./api
COPY cypher ./cypher
COPY ownergraph ./ownergraph
RUN pip install --no-cache-dir . && rm -rf build
ENV OWNERGRAPH_HOST=0.0.0.0
EXPOSE 8000
# two worker processes: one runs Python on one core at a time (api/README.md, "Workers")
CMD ["ownergraph", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
