// Syllable counters for the readability formulas.

// Portuguese and Spanish: one syllable per vowel nucleus. Adjacent vowels share a syllable (diphthong,
// triphthong: "pai", "quais", "Uruguai") unless both are strong — a, e, o, or a weak vowel carrying an
// accent (í, ú: "saúde", "país", "día") — which makes a hiatus ("poesia", "leão" aside). Nasal ã/õ + e/o
// ("mão", "mãe", "põe") is one syllable. These are the orthographic rules Portuguese grammars give
// (Bechara, Moderna Gramática Portuguesa, "divisão silábica") and match the Spanish RAE rules for
// diphthong/hiatus; unstressed "-ia/-io" counts as a diphthong, as the written syllabification does.

// 0: not a vowel, 1: weak vowel (i, u, ü), 2: strong vowel, 3: nasal ã/õ.
function vowelClass(c: i32): i32 {
  switch (c) {
    case 0x61: case 0x65: case 0x6f: // a e o
    case 0xe1: case 0xe9: case 0xf3: // á é ó
    case 0xe2: case 0xea: case 0xf4: // â ê ô
    case 0xe0: case 0xe8: case 0xf2: // à è ò
    case 0xed: case 0xfa: case 0xec: case 0xf9: // í ú ì ù: accented weak vowels are nuclei
      return 2;
    case 0xe3: case 0xf5: // ã õ
      return 3;
    case 0x69: case 0x75: case 0xfc: case 0xee: case 0xfb: case 0xef: // i u ü î û ï
      return 1;
    default:
      return 0;
  }
}

@inline function lower(c: i32): i32 {
  if (c >= 65 && c <= 90) return c + 32;
  if (c >= 0xc0 && c <= 0xde && c != 0xd7) return c + 32;
  return c;
}

export function syllablesRomance(s: string, start: i32, end: i32): i32 {
  let count = 0;
  let prev = 0; // class of the previous character (0 = consonant)
  for (let i = start; i < end; i++) {
    let c = lower(<i32>s.charCodeAt(i));
    // Spanish/Portuguese "y" is a vowel at the end of a word or between consonants ("muy", "rey").
    let k = vowelClass(c);
    if (c == 0x79) {
      const next = i + 1 < end ? vowelClass(lower(<i32>s.charCodeAt(i + 1))) : 0;
      k = next == 0 ? 1 : 0;
    }
    if (k == 0) {
      prev = 0;
      continue;
    }
    if (prev == 0) {
      count++;
    } else if (prev >= 2 && k >= 2) {
      // Two strong vowels: hiatus ("po-e-ta", "le-ão"), except nasal ã/õ + e/o ("mão", "põe").
      if (!(prev == 3 && (c == 0x6f || c == 0x65))) count++;
    }
    prev = k;
  }
  return count > 0 ? count : (end > start ? 1 : 0);
}

// English: vowel groups (a e i o u y), minus a silent final "e" (but not "-le" after a consonant:
// "table"), minus "-ed"/"-es" that do not add a syllable ("jumped", "makes"). The usual heuristic of
// Flesch-Kincaid implementations; exact counts need a dictionary, which a 10 KB plugin cannot carry.
function isVowelEn(c: i32): bool {
  return c == 0x61 || c == 0x65 || c == 0x69 || c == 0x6f || c == 0x75 || c == 0x79;
}

export function syllablesEnglish(s: string, start: i32, end: i32): i32 {
  let count = 0;
  let inGroup = false;
  for (let i = start; i < end; i++) {
    const v = isVowelEn(lower(<i32>s.charCodeAt(i)));
    if (v && !inGroup) count++;
    inGroup = v;
  }
  const n = end - start;
  if (n > 2 && count > 1) {
    const last = lower(<i32>s.charCodeAt(end - 1));
    const prev = lower(<i32>s.charCodeAt(end - 2));
    const prev2 = lower(<i32>s.charCodeAt(end - 3));
    if (last == 0x65 && !isVowelEn(prev) && !(prev == 0x6c && !isVowelEn(prev2))) count--; // silent e
    else if (last == 0x64 && prev == 0x65 && prev2 != 0x74 && prev2 != 0x64) count--; // -ed
    else if (last == 0x73 && prev == 0x65 && !(prev2 == 0x73 || prev2 == 0x78 || prev2 == 0x7a || prev2 == 0x63 || prev2 == 0x67 || prev2 == 0x68)) count--; // -es
  }
  return count > 0 ? count : (n > 0 ? 1 : 0);
}
