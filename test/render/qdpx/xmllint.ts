/**
 * XSD validation with xmllint (Debian package libxml2-utils). Tests skip validation locally when xmllint is
 * missing, and fail in CI (CI=true), where it must be installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The REFI-QDA 1.0 schemas, copied from the REFI standard (see test/fixtures/qual/refi-qda/README.md). */
export const PROJECT_XSD = join(__dirname, '..', '..', 'fixtures', 'qual', 'refi-qda', 'Project.xsd');
export const CODEBOOK_XSD = join(__dirname, '..', '..', 'fixtures', 'qual', 'refi-qda', 'Codebook.xsd');

export const haveXmllint = !spawnSync('xmllint', ['--version']).error;
export const inCi = process.env.CI === 'true' || process.env.CI === '1';

/** Validate an XML document against a schema; returns xmllint's verdict and messages. */
export function xsdValidate(xml: string, xsd: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'nabz-xsd-'));
  const file = join(dir, 'doc.xml');
  writeFileSync(file, xml, 'utf8');
  const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', xsd, file], { encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}`.trim() };
}
