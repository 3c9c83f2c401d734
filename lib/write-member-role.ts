/** Writes docs/member-role.yaml from lib/member-role-template.ts: `npx tsx lib/write-member-role.ts`. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { memberRoleTemplateYaml } from './member-role-template';

fs.writeFileSync(path.join(__dirname, '..', 'docs', 'member-role.yaml'), memberRoleTemplateYaml());
