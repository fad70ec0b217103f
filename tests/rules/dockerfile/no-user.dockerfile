# ok: RRA-DOCKER-NO-USER
FROM node:20.11-alpine AS build
RUN npm ci
# ruleid: RRA-DOCKER-NO-USER
FROM node:20.11-alpine
COPY --from=build /app /app
CMD ["node", "/app/server.js"]
