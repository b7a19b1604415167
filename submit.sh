#!/usr/bin/env bash
# Packages a lab's student files into <lab>-submission.zip in the current directory.
# Usage: ./submit.sh <lab>     e.g. ./submit.sh routing
set -euo pipefail
# tsx resolves from the repository, so run from its root; the zip still goes where you ran this.
export SERVELAB_SUBMIT_CWD="$PWD"
cd "$(dirname "${BASH_SOURCE[0]}")"
exec node --import tsx grader/cli/submit.ts "$@"
