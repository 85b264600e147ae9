#!/bin/sh
# Starts a second web server for local work, beside `docker compose up`.
set -eu
docker run -d --name preview \
  -p 8080:3000 \
  -p "$DEBUG_PORT:9229" \
  node:22 npm run dev
