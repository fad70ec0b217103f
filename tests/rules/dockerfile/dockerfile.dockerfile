# ruleid: RRA-DOCKER-FLOATING-IMAGE
FROM python:latest AS build
# ruleid: RRA-DOCKER-CURL-PIPE-SHELL
RUN curl -fsSL https://get.example.com/install.sh | sh
# ok: RRA-DOCKER-CURL-PIPE-SHELL
RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool.tgz && echo "abc  /tmp/tool.tgz" | sha256sum -c
# ruleid: RRA-DOCKER-ADD-REMOTE
ADD https://example.com/tool.tgz /opt/
# ok: RRA-DOCKER-ADD-REMOTE
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/tool.tgz /opt/
# ruleid: RRA-DOCKER-SECRET-IN-ENV
ENV DB_PASSWORD=hunter2hunter2
# ok: RRA-DOCKER-SECRET-IN-ENV
ENV DB_PASSWORD_FILE=/run/secrets/db
# ok: RRA-DOCKER-FLOATING-IMAGE
FROM python:3.12-slim@sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d
COPY --from=build /app /app
# ruleid: RRA-DOCKER-USER-ROOT
USER root
CMD ["python", "/app/main.py"]
