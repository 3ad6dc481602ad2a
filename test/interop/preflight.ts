// Loaded by test/interop/.mocharc.json before any interop test: without the Debian packages the suite stops at
// once with the one line that installs them, rather than failing test by test or skipping in silence.
import { missingNeedsLine } from './needs';

const line = missingNeedsLine();
if (line !== undefined) {
  process.stderr.write(`${line}\n`);
  process.exit(1);
}
