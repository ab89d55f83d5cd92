#!/usr/bin/env node
// The `lodestone` command. Lodestone is written in TypeScript and runs through tsx's loader,
// so there is no build step between a checkout and a working command.
import { register } from "tsx/esm/api";

register();
await import("../src/cli/main.ts");
