// `npm run ledger -- verify DIR`: checks a pay-gate ledger or a pay-stream journal (lib/payments/ledger-verify.ts)
// and prints what it found, per trade; exits 1 when anything is wrong, 2 on bad arguments.
import { verifyLedger } from '../lib/payments/ledger-verify';

const USAGE = 'usage: npm run ledger -- verify DIR [--json]   (DIR: <userDir>/flaregrid/pay-gate/<node id>, or a pay-stream journal)';

async function main(argv: string[]): Promise<number> {
  const json = argv.includes('--json');
  const [command, path] = argv.filter((a) => a !== '--json');
  if (command !== 'verify' || path === undefined) {
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const report = await verifyLedger(path);
  if (json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return report.ok ? 0 : 1;
  }
  const lines = [
    `${report.kind} ledger ${path}`,
    `chain: ${report.chain.ok ? 'intact' : 'BROKEN'}, ${report.chain.records} records from ${report.chain.anchor}, head seq ${report.chain.lastSeq} ${report.chain.headHash}`,
    ...report.trades.map((t) => {
      const money = `${t.deliveredWh} Wh at ${t.priceMsatPerKwh} msat/kWh owe ${t.owedMsat} msat; ${report.kind === 'pay-gate' ? 'received' : 'paid'} ${t.paidMsat} msat in ${t.payments} payments`;
      const extra = t.operatorShareMsat !== undefined ? `; operator's share (zone fee and surplus) ${t.operatorShareMsat} msat, seller ${t.paidMsat - t.operatorShareMsat} msat; ${t.signedReceipts ?? 0} signed receipts` : '';
      return `trade ${t.tradeId} (${t.closed ? 'closed' : 'open'}): ${money}${extra}`;
    }),
    ...(report.unattributedMsat > 0 ? [`unattributed: ${report.unattributedMsat} msat received for no open trade`] : []),
    ...report.problems.map((p) => `PROBLEM: ${p}`),
    report.ok ? 'OK: every closed trade was paid to the msat, every payment with a valid preimage' : `FAILED: ${report.problems.length} problem(s)`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return report.ok ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`ledger: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  },
);
