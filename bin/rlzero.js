#!/usr/bin/env node
// The `rlzero` command: runs the compiled CLI (npm install builds dist/ and the native addon).
import { main } from "../dist/cli/main.js";

main(process.argv);
