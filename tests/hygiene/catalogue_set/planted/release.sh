#!/usr/bin/env bash
set -euo pipefail
curl -u release-bot:ev6koyDsNDkcVa -X POST https://ci.acme-games.io/job/release/build
curl -H "Authorization: token ghp_La73ebEOxfNJA8c0B9YNp2cbtHTk9A98kpbd" https://api.github.com/repos/acme/game/releases
