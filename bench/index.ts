/** `npm run bench`: every benchmark, printed as a Markdown table against performance.md. */
import { benchSignIn } from './sign-in.bench';
import { printTable } from './stats';

const rows = [...(await benchSignIn())];
printTable(rows);
if (rows.some((r) => !r.ok)) process.exitCode = 1;
