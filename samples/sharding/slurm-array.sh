#!/usr/bin/env bash
# Slurm array job: one task per shard. Submit with: sbatch --array=0-7 samples/sharding/slurm-array.sh
# The number of shards is the array size; merge afterwards (see README.md in this folder).
#SBATCH --job-name=gradsentry-scan
#SBATCH --output=logs/gradsentry-%A_%a.out
#SBATCH --cpus-per-task=8
#SBATCH --mem=32G
#SBATCH --time=04:00:00
# For GPUs: #SBATCH --gres=gpu:1   and use --device cuda below.
set -euo pipefail

DATA="${DATA:-data/train.jsonl}"
MODEL="${MODEL:-models/base-model}"
SHARDS_DIR="${SHARDS_DIR:-shards}"
CACHE_DIR="${CACHE_DIR:-cache}"     # shared disk: a preempted task resumes from its cache
count="${SLURM_ARRAY_TASK_COUNT:?submit as an array job: sbatch --array=0-N ...}"
index="${SLURM_ARRAY_TASK_ID:?}"

mkdir -p "$SHARDS_DIR" logs
dotnet tool restore
dotnet gradsentry scan "$DATA" --model "$MODEL" --device auto \
  --shard "$index/$count" --cache "$CACHE_DIR" --output "$SHARDS_DIR/shard-$index.json"
