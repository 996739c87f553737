// GitHub code scanning's rules for an uploaded SARIF file, beyond the SARIF 2.1.0 schema, as GitHub's
// "SARIF support for code scanning" documents them (and the SARIF multitool's GH10xx / SARIF2012 rules
// check): what it needs to show a rule's help, track an alert across commits and place it in the
// repository. Returns one line per breach; [] means GitHub takes the file.
import type { Log } from 'sarif';

const LEVELS = new Set(['none', 'note', 'warning', 'error']);

export function githubIngestionProblems(log: Log): string[] {
  const out: string[] = [];
  if (log.version !== '2.1.0') out.push(`version is ${String(log.version)}, not 2.1.0`);
  if (!log.runs?.length) out.push('no runs');
  if ((log.runs?.length ?? 0) > 20) out.push('more than 20 runs in one file');
  log.runs?.forEach((run, ri) => {
    const d = run.tool?.driver;
    const at = `runs[${ri}]`;
    if (!d?.name) out.push(`${at}.tool.driver.name missing`);
    if (!d?.version && !d?.semanticVersion) out.push(`${at}.tool.driver has no version or semanticVersion`);
    const rules = d?.rules ?? [];
    const ids = new Set<string>();
    rules.forEach((r, i) => {
      const w = `${at} rule ${r.id ?? i}`;
      if (!r.id) out.push(`${w}: no id`);
      if (ids.has(r.id)) out.push(`${w}: id declared twice`);
      ids.add(r.id);
      if (!r.name) out.push(`${w}: no name`);
      if (!r.shortDescription?.text) out.push(`${w}: no shortDescription.text`);
      if (!r.fullDescription?.text) out.push(`${w}: no fullDescription.text`);
      if (!r.help?.text) out.push(`${w}: no help.text`);
      if (!r.help?.markdown) out.push(`${w}: no help.markdown`);
      if (!r.helpUri || !/^https:\/\//.test(r.helpUri)) out.push(`${w}: helpUri is not an absolute https URI`);
      const lvl = r.defaultConfiguration?.level;
      if (lvl && !LEVELS.has(lvl)) out.push(`${w}: defaultConfiguration.level ${lvl}`);
    });
    const results = run.results ?? [];
    if (results.length > 25_000) out.push(`${at}: more than 25000 results`);
    const prints = new Set<string>();
    results.forEach((res, i) => {
      const w = `${at}.results[${i}] (${res.ruleId ?? '?'})`;
      if (!res.ruleId || !ids.has(res.ruleId)) out.push(`${w}: ruleId not among the driver's rules`);
      if (res.ruleIndex !== undefined && rules[res.ruleIndex]?.id !== res.ruleId)
        out.push(`${w}: ruleIndex does not point at its rule`);
      if (!res.message?.text) out.push(`${w}: no message.text (GitHub does not resolve message ids)`);
      if (res.level && !LEVELS.has(res.level)) out.push(`${w}: level ${res.level}`);
      const locs = res.locations ?? [];
      if (locs.length < 1) out.push(`${w}: no location`);
      if (locs.length > 10) out.push(`${w}: more than 10 locations`);
      for (const l of locs) {
        const a = l.physicalLocation?.artifactLocation;
        const reg = l.physicalLocation?.region;
        if (!a?.uri) out.push(`${w}: location without artifactLocation.uri`);
        else if (/^[a-z][a-z0-9+.-]*:/i.test(a.uri) || a.uri.startsWith('/'))
          out.push(`${w}: uri ${a.uri} is absolute (GitHub places results relative to the checkout)`);
        else if (a.uri.split('/').includes('..')) out.push(`${w}: uri ${a.uri} leaves the repository`);
        else if (a.uriBaseId !== '%SRCROOT%') out.push(`${w}: relative uri ${a.uri} has no uriBaseId %SRCROOT%`);
        if (!reg?.startLine || reg.startLine < 1) out.push(`${w}: region without startLine`);
        if (reg?.endLine !== undefined && reg.startLine !== undefined && reg.endLine < reg.startLine)
          out.push(`${w}: region ends before it starts`);
      }
      const fp = res.partialFingerprints ?? {};
      if (!Object.keys(fp).length) out.push(`${w}: no partialFingerprints`);
      const key = JSON.stringify(fp);
      if (Object.keys(fp).length && prints.has(key)) out.push(`${w}: partialFingerprints repeat another result's`);
      prints.add(key);
    });
  });
  return out;
}
