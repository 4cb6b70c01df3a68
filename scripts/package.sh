#!/usr/bin/env bash
# Writes the hand-in: the whole implementation as one .tgz, the repository's tree at
# one commit (git archive: tracked files only, so no build output, no dev state,
# no virtual environments, no keys made by keygen), unpacking into faas-<commit>/.
#   scripts/package.sh                 # HEAD, into the current directory
#   scripts/package.sh REV [OUT_DIR]   # another commit, or elsewhere
# Prints the path it wrote. Uncommitted changes are not in it (it says so).
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:-HEAD}
out_dir=${2:-.}
commit=$(git rev-parse --short=12 --verify "$rev^{commit}")
if [ "$rev" = HEAD ] && [ -n "$(git status --porcelain --untracked-files=normal)" ]; then
    echo "package.sh: the working tree has uncommitted changes; they are not in the tarball" >&2
fi
mkdir -p "$out_dir"
out="$out_dir/faas-$commit.tgz"
git archive --format=tar.gz --prefix="faas-$commit/" -o "$out" "$commit"
echo "$out"
