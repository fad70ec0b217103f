# ruleid: RRA-DOCKER-NO-USER
FROM node:20.11-alpine
RUN npm ci
CMD ["node", "server.js"]
