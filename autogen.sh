#!/bin/sh
# Generates ./configure from configure.ac (the generated files are not committed).
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf -fi
