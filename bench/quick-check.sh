#!/usr/bin/env bash
# The runbook's manual quick checks for one port, as one script (the baseline portdoctor is measured against).
P=${1:?port}
ss -tlnp
docker ps -a
iptables -t nat -L DOCKER -n --line-numbers
nft list ruleset
lsof -i :"$P"
docker version
