/** The columns of the three tables, written out independently of the migration. */
export const QUAL_COLUMNS: Record<string, string[]> = {
  qual_projects: ['id', 'study_id', 'name', 'doc', 'version', 'comparison_open', 'created_at', 'updated_at'],
  qual_entities: [
    'project_id',
    'kind',
    'entity_id',
    'coder_id',
    'position',
    'data',
    'version',
    'created_at',
    'updated_at',
  ],
  qual_audit: [
    'project_id',
    'seq',
    'actor',
    'actor_user_id',
    'at',
    'action',
    'entity_kind',
    'entity_id',
    'before',
    'after',
    'prev_hash',
    'hash',
  ],
};
