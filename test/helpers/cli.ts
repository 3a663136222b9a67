/** Runs the CLI from source (for tests): `node --import tsx test/helpers/cli.ts <args>`. */
import { main } from "../../src/cli/main.ts";

await main(process.argv);
