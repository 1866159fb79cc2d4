// Builds the kiosk's name keyboards (static/dist/name-keyboards.json) from the
// layouts in simple-keyboard-layouts: only their letters, never their code.
// Called by static/build-assets.sh; the kiosk renders the keys on the server
// (kiosk/keyboards.py), so no keyboard library runs in the browser.
//
// From each layout we keep the keys a name is spelt with: letters (and, for
// Bengali, the vowel signs and virama that are written as separate keys). We drop
// digits, punctuation, the shift/tab/enter keys, presentation forms (a copy of a
// letter that Unicode normalisation would change), tatweel and Arabic-script
// vowel marks (names are written without them). Keys are typed in Unicode NFC
// (Bengali's য় is one letter however a layout spells it). The unshifted keys are the
// first page; shifted keys that are not just capitals of the first page's
// letters are a second page.
import { createRequire } from "node:module";
import { writeFileSync } from "node:fs";

const require = createRequire(import.meta.url);
const layout = (name) =>
  require(`simple-keyboard-layouts/build/commonjs/layouts/${name}.js`).default.layout;

const ARABIC_MARK = /^[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]$/u;
const INDIC = /[\u0900-\u0dff]/u;

// Our language code: [layout, text direction, letters to correct in that layout].
// The Urdu layout types Arabic's alef maksura (U+0649), which joins without its
// dots; Urdu writes its own yeh (U+06CC).
const OWN_SCRIPT = {
  ar: ["arabic", "rtl", {}],
  bn: ["bengali", "ltr", {}],
  uk: ["ukrainian", "ltr", {}],
  ur: ["urduStandard", "rtl", { "\u0649": "\u06cc" }],
};
// Latin-script languages: the letters their layout has beyond A to Z, shown as one
// more row of the Latin keyboard. The package has no Romanian layout: its five
// letters (with comma below, as Romanian writes them) are listed here.
const LATIN_LETTERS = {
  pl: lettersBeyondAToZ("polish", "pl"),
  ro: ["Ă", "Â", "Î", "Ș", "Ț"],
};

function isNameKey(key) {
  if (/^\{.*\}$/u.test(key) || !/^[\p{L}\p{M}]+$/u.test(key)) return false;
  if (/\p{Lm}/u.test(key) || key.normalize("NFKC") !== key.normalize("NFC")) return false;
  if (ARABIC_MARK.test(key)) return false;
  // A lone combining mark only where the script writes it as its own key.
  return !/^\p{M}$/u.test(key) || INDIC.test(key);
}

function rows(lines, fixes) {
  return lines
    .map((line) =>
      line
        .split(" ")
        .filter(isNameKey)
        .map((key) => (fixes[key] ?? key).normalize("NFC")),
    )
    .filter((row) => row.length);
}

// At most ten keys a row, as the Latin keyboard has, so every key stays a large
// touch target; the layout's order is kept.
const WIDEST = 10;

function rebatch(rows) {
  const keys = rows.flat();
  const count = Math.ceil(keys.length / WIDEST);
  const size = Math.ceil(keys.length / count);
  return Array.from({ length: count }, (_, i) => keys.slice(i * size, (i + 1) * size));
}

function ownScript(name, language, dir, fixes) {
  const upper = (key) => key.toLocaleUpperCase(language);
  const plain = rows(layout(name).default, fixes).map((row) => row.map(upper));
  const seen = new Set(plain.flat());
  const more = rows(layout(name).shift, fixes)
    .map((row) => row.filter((key) => !seen.has(upper(key))))
    .filter((row) => row.length);
  const pages = more.length ? [plain, more] : [plain];
  return { dir, pages: pages.map(rebatch) };
}

function lettersBeyondAToZ(name, language) {
  const letters = new Set(
    [...layout(name).default, ...layout(name).shift]
      .flatMap((line) => line.split(" "))
      .filter((key) => isNameKey(key) && !/^[a-z]$/iu.test(key))
      .map((key) => key.toLocaleUpperCase(language)),
  );
  return [...letters].sort(new Intl.Collator(language).compare);
}

const keyboards = {};
for (const [language, [name, dir, fixes]] of Object.entries(OWN_SCRIPT)) {
  keyboards[language] = ownScript(name, language, dir, fixes);
}
for (const [language, letters] of Object.entries(LATIN_LETTERS)) {
  keyboards[language] = { latin_letters: letters };
}
writeFileSync(process.argv[2], `${JSON.stringify(keyboards, null, 1)}\n`);
