#!/usr/bin/env bash
# The chain-of-thought runs behind the `choice` trust table (docs/benchmarks/trust.md).
#
#   bash bench/mcq_trust_runs.sh dev      # fits the table: CasiMedicos EN dev (first 15) and
#                                         # MIRAGE dev, first 3 of each subset (items the
#                                         # earlier table was also fitted on)
#   bash bench/mcq_trust_runs.sh frozen   # measures it: items no table, rule or prompt was ever
#                                         # fitted or read on, frozen on 2026-12-07 before the
#                                         # graded re-ask was fitted: CasiMedicos EN *train*
#                                         # (first 10) and MIRAGE dev items 13-15 of each subset
#                                         # (items 1-12 of MedQA were read in the checked-vote
#                                         # study; 1-8 of the others fitted the earlier table)
#   bash bench/mcq_trust_runs.sh frozen2  # a second frozen set, fixed on 2026-12-07 after the first
#                                         # was used (it chose the re-ask-only table): CasiMedicos
#                                         # EN train items 11-20, MIRAGE dev items 16-18 per subset
#
# (Sizes cut on 2026-12-07 from 35+8x5 and 25+5x5, then to these, when cases took 1-5 minutes
# each on the shared, loaded 2 cores; the trust score had not been computed on either set.)
#
# Embedded model with token probabilities (--logprobs): cot records the probability of its
# answer letter, and the re-ask check (3 orders, no reasoning) the probability it gives each
# option. Runs resume (--resume) after an interruption. Then:
#   .venv/bin/python bench/trust_eval.py runs/trust-dev/*            # fit, cross-fitted figures
#   .venv/bin/python bench/trust_eval.py runs/trust-frozen/* --table SHIPPED  # frozen figures
#
# With a second argument `sc` (added 2026-12-08, before any of these runs), the same items get
# `self_consistency` (k = 4 chains sampled at temperature 0.7, seed 0, no token probabilities)
# into runs/sc-SET: the self-consistency baseline. Declared before the runs: the feature
# is the share of the 4 samples whose answer equals the stored `cot` answer of the same item (a
# sample without an answer disagrees), not fitted; it is measured once on each set with
#   .venv/bin/python bench/consistency_eval.py SET...
# against the stored trust and the re-ask agreement of the same items.
set -euo pipefail
SET=${1:?usage: mcq_trust_runs.sh dev|frozen|frozen2 [sc]}
DATA=${DATA:-../shared/data}
CR=${CR:-.venv/bin/clinreason}
OPTS=(--strategy cot -S recheck=3 --backend embedded --logprobs --threads "${THREADS:-2}"
      --concurrency 1 --seed 0 --resume)
case "$SET" in
  dev)     CASI="$DATA/casimedicos-arg/EN/dev.tsv"; CASI_SKIP=0; CASI_N=15; SKIP=0; N=3 ;;
  frozen)  CASI="$DATA/casimedicos-arg/EN/train.tsv"; CASI_SKIP=0; CASI_N=10; SKIP=12; N=3 ;;
  frozen2) CASI="$DATA/casimedicos-arg/EN/train.tsv"; CASI_SKIP=10; CASI_N=10; SKIP=15; N=3 ;;
  *) echo "usage: mcq_trust_runs.sh dev|frozen|frozen2 [sc]" >&2; exit 2 ;;
esac
[ -d "$DATA" ] || { echo "skipped: $DATA not found (the shared data slices)" >&2; exit 0; }
OUT=runs/trust-$SET
if [ "${2:-}" = sc ]; then
  OPTS=(--strategy self_consistency -S k=4 -S temperature=0.7 --backend embedded
        --threads "${THREADS:-2}" --concurrency 1 --seed 0 --resume)
  OUT=runs/sc-$SET
fi
"$CR" eval casimedicos "$CASI" --skip "$CASI_SKIP" --limit "$CASI_N" "${OPTS[@]}" --out "$OUT/casimedicos"
for s in bioasq medmcqa medqa mmlu pubmedqa; do
  "$CR" eval mirage "$DATA/mirage/dev.json" -P subsets="[\"$s\"]" --skip "$SKIP" --limit "$N" \
      "${OPTS[@]}" --out "$OUT/mirage-$s"
done
