#!/usr/bin/env bash
# Turn the rule texts in test/fixtures/engines/*.nft into what the real `nft` prints for them
# (-j and -a listings), by loading each into a private network namespace made for the purpose:
# the host's own ruleset is never touched. Rerun after editing a .nft file.
set -euo pipefail
cd "$(dirname "$0")/../test/fixtures/engines"
ns=pdfixture-$$
ip netns add "$ns"
trap 'ip netns del "$ns"' EXIT
for f in *.nft; do
  b=${f%.nft}
  ip netns exec "$ns" nft flush ruleset
  ip netns exec "$ns" nft -f "$f"
  ip netns exec "$ns" nft -j list ruleset > "$b.json"
  ip netns exec "$ns" nft -a list ruleset > "$b.txt"
  echo "wrote $b.json $b.txt"
done
