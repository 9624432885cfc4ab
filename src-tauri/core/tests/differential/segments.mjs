// Differential oracle: Twilio's own segment calculator.
//
// Reads a JSON array of message bodies on stdin and prints a JSON object
//   { version, results: [{ encoding, segments, characters, nonGsm,
//                          smart: { encoding, segments, characters, text } }] }
// where `smart` is the calculator's result with its smart-encoding option on
// and `text` the body after its smart-encoding replacements.
// With the argument `--smart-map` it prints { version, map } instead: the
// calculator's whole smart-encoding table.
//
// The package `sms-segments-calculator` is resolved from the folder named by
// HERALD_SEGCALC_DIR (the folder that holds node_modules/), e.g.
//   mkdir -p /tmp/segcalc && cd /tmp/segcalc && npm init -y &&
//   npm install sms-segments-calculator@1.3.0
//   HERALD_SEGCALC_DIR=/tmp/segcalc cargo test --test segments_differential
import { createRequire } from 'node:module';
import path from 'node:path';
import { readFileSync } from 'node:fs';

const dir = process.env.HERALD_SEGCALC_DIR;
if (!dir) {
  console.error('HERALD_SEGCALC_DIR is not set: point it at the folder holding node_modules/sms-segments-calculator');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(dir), 'package.json'));
let calculator;
let version;
try {
  calculator = require('sms-segments-calculator');
  ({ version } = require('sms-segments-calculator/package.json'));
} catch (error) {
  console.error(`cannot load sms-segments-calculator from ${dir}: ${error.message}`);
  console.error(`install it with: cd ${dir} && npm install sms-segments-calculator@1.3.0`);
  process.exit(3);
}
const { SegmentedMessage } = calculator;

if (process.argv.includes('--smart-map')) {
  const mapModule = require('sms-segments-calculator/dist/libs/SmartEncodingMap.js');
  process.stdout.write(JSON.stringify({ version, map: mapModule.default ?? mapModule }));
} else {
  const bodies = JSON.parse(readFileSync(0, 'utf8'));
  const results = bodies.map((body) => {
    const plain = new SegmentedMessage(body, 'auto', false);
    const smart = new SegmentedMessage(body, 'auto', true);
    return {
      encoding: plain.encodingName,
      segments: plain.segmentsCount,
      characters: plain.numberOfCharacters,
      nonGsm: plain.getNonGsmCharacters(),
      smart: {
        encoding: smart.encodingName,
        segments: smart.segmentsCount,
        characters: smart.numberOfCharacters,
        text: smart.graphemes.join(''),
      },
    };
  });
  process.stdout.write(JSON.stringify({ version, results }));
}
