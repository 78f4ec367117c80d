/**
 * The AWS SDK warns on stderr, in eight lines, that its releases after January 2027 need
 * Node 22. That says nothing about the user's command and breaks the one-line error rule;
 * the SDK's own switch turns it off (a user who sets the variable keeps their choice).
 */
export function quietSdkWarnings(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
