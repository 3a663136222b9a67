import { trainTokensPerSecond } from "./bench/model.ts";
console.log(trainTokensPerSecond("mini").toFixed(0));
