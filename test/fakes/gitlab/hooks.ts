// GitLab's documented webhook payloads (gitlabhq/gitlabhq doc/user/project/integrations/
// webhook_events.md, "Deployment events" and "Merge request events"), cloned per test with only
// the scenario's fields overridden.

const project = {
  id: 30,
  name: "test-deployment-webhooks",
  description: "",
  web_url: "http://10.126.0.2:3000/root/test-deployment-webhooks",
  avatar_url: null,
  git_ssh_url: "ssh://vlad@10.126.0.2:2222/root/test-deployment-webhooks.git",
  git_http_url: "http://10.126.0.2:3000/root/test-deployment-webhooks.git",
  namespace: "Administrator",
  visibility_level: 0,
  path_with_namespace: "root/test-deployment-webhooks",
  default_branch: "master",
  ci_config_path: "",
  homepage: "http://10.126.0.2:3000/root/test-deployment-webhooks",
  url: "ssh://vlad@10.126.0.2:2222/root/test-deployment-webhooks.git",
  ssh_url: "ssh://vlad@10.126.0.2:2222/root/test-deployment-webhooks.git",
  http_url: "http://10.126.0.2:3000/root/test-deployment-webhooks.git",
};

const DEPLOYMENT_HOOK = {
  object_kind: "deployment",
  status: "success",
  status_changed_at: "2021-04-28 21:50:00 +0200",
  deployment_id: 15,
  deployable_id: 796,
  deployable_url: "http://10.126.0.2:3000/root/test-deployment-webhooks/-/jobs/796",
  environment: "staging",
  environment_tier: "staging",
  environment_slug: "staging",
  environment_external_url: "https://staging.example.com",
  project,
  short_sha: "279484c0",
  user: {
    id: 1,
    name: "Administrator",
    username: "root",
    avatar_url: "https://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=80&d=identicon",
    email: "admin@example.com",
  },
  user_url: "http://10.126.0.2:3000/root",
  commit_url: "http://10.126.0.2:3000/root/test-deployment-webhooks/-/commit/279484c09fbe69ededfced8c1bb6e6d24616b468",
  commit_title: "Add new file",
};

const MERGE_REQUEST_HOOK = {
  object_kind: "merge_request",
  event_type: "merge_request",
  user: { id: 1, name: "Administrator", username: "root", avatar_url: "http://www.gravatar.com/avatar/e64c7d89f26bd1972efa854d13d7dd61?s=40&d=identicon", email: "admin@example.com" },
  project,
  object_attributes: {
    id: 99,
    iid: 1,
    target_branch: "master",
    source_branch: "ms-viewport",
    source_project_id: 14,
    author_id: 51,
    assignee_ids: [6],
    assignee_id: 6,
    reviewer_ids: [6],
    title: "MS-Viewport",
    created_at: "2013-12-03T17:23:34Z",
    updated_at: "2013-12-03T17:23:34Z",
    last_edited_at: "2013-12-03T17:23:34Z",
    last_edited_by_id: 1,
    milestone_id: null,
    state_id: 3,
    state: "merged",
    blocking_discussions_resolved: true,
    work_in_progress: false,
    draft: false,
    first_contribution: true,
    merge_status: "unchecked",
    target_project_id: 14,
    description: "",
    prepared_at: "2013-12-03T19:23:34Z",
    total_time_spent: 1800,
    time_change: 30,
    human_total_time_spent: "30m",
    human_time_change: "30s",
    human_time_estimate: "30m",
    url: "http://example.com/diaspora/merge_requests/1",
    action: "update",
    labels: [{ id: 206, title: "API", color: "#ffffff", project_id: 14, created_at: "2013-12-03T17:15:43Z", updated_at: "2013-12-03T17:15:43Z", template: false, description: "API related issues", type: "ProjectLabel", group_id: 41 }],
  },
  labels: [{ id: 206, title: "API", color: "#ffffff", project_id: 14, created_at: "2013-12-03T17:15:43Z", updated_at: "2013-12-03T17:15:43Z", template: false, description: "API related issues", type: "ProjectLabel", group_id: 41 }],
  changes: {},
};

export function deploymentHook(overrides: { project?: Partial<typeof project> } & Partial<Omit<typeof DEPLOYMENT_HOOK, "project">>): Record<string, unknown> {
  const base = structuredClone(DEPLOYMENT_HOOK);
  return { ...base, ...overrides, project: { ...base.project, ...overrides.project } };
}

export function mergeRequestHook(iid: number, state: string, labels: string[], projectPath: string): Record<string, unknown> {
  const base = structuredClone(MERGE_REQUEST_HOOK);
  const label = base.labels[0]!;
  const list = labels.map((title, i) => ({ ...label, id: i + 1, title }));
  return {
    ...base,
    project: { ...base.project, path_with_namespace: projectPath },
    object_attributes: { ...base.object_attributes, iid, state, labels: list },
    labels: list,
  };
}
