/**
 * English messages: the reference catalog. Every other locale must have exactly these keys
 * (checked at compile time in its own file). `{name}` is replaced by `t(key, { name })`.
 *
 * Error keys are `error.<CODE>` (what happened) and `error.<CODE>.next` (what to do next), one
 * pair for every code in main/errors.ts `ERROR_CODES`; unknown codes fall back to
 * `error.unknown`.
 */
export const en = {
  'app.name': 'Latchkey',
  'app.version': 'Version {version}',
  'app.loading': 'Loading…',
  'app.loadFailed': "Latchkey couldn't load your accounts.",

  'sidebar.conversations': 'Conversations',
  'sidebar.conversationsEmpty': 'Your conversations will appear here.',
  'sidebar.newChat': 'New chat',
  'sidebar.accounts': 'Accounts',
  'sidebar.accountsAttention': 'An account needs your attention',
  'sidebar.show': 'Show conversations',
  'sidebar.hide': 'Hide conversations',
  'sidebar.loading': 'Loading conversations…',
  'sidebar.loadFailed': "Couldn't load your conversations.",
  'sidebar.empty': 'No conversations yet. Your chats will be listed here.',
  'sidebar.group.today': 'Today',
  'sidebar.group.yesterday': 'Yesterday',
  'sidebar.group.week': 'Previous 7 days',
  'sidebar.group.month': 'Previous 30 days',
  'sidebar.group.older': 'Older',

  'conversation.untitled': 'New chat',
  'conversation.streaming': 'Answering…',
  'conversation.nameLabel': 'Conversation name',
  'conversation.rename': 'Rename conversation',
  'conversation.delete': 'Delete conversation',
  'conversation.deleteTitle': 'Delete this conversation?',
  'conversation.deleteBody':
    '“{title}” and all its messages will be deleted from this device. This can’t be undone.',
  'conversation.deleteConfirm': 'Delete',
  'conversation.deleteCancel': 'Cancel',
  'conversation.export': 'Export conversation',
  'conversation.exported': 'Exported',
  'conversation.copy': 'Copy conversation',

  'language.label': 'Language',
  'language.en': 'English',
  'language.zh-CN': '简体中文',

  'main.welcomeTitle': 'Welcome to Latchkey',
  'main.welcomeBody':
    'Sign in to start chatting. You approve access in your own browser, so there is no API key to copy.',
  'main.accountTitle': 'Your accounts',
  'main.accountBody':
    'Sign in to the providers you use. Each conversation keeps chatting through the provider it started with.',
  'main.backToChat': 'Back to chat',

  'chat.placeholderSignedOut': 'Chat arrives here once you are signed in',
  'chat.loading': 'Opening the conversation…',
  'chat.offline': 'Offline',
  'chat.offlineHint':
    "Latchkey can't reach {provider}. Your conversations are still here; sending waits until you're back online.",
  'chat.retryConnection': 'Retry',
  'chat.offlineTitle': "You're offline.",
  'chat.notSent': 'Your message was not sent and is still in the box.',
  'chat.provider': 'Provider',
  'chat.signedOutTitle': "You're not signed in to {provider}.",
  'chat.signedOutBody':
    'This conversation chats through {provider}. Sign in again to continue; what you type is kept.',
  'chat.openAccounts': 'Open accounts',

  'model.label': 'Model',
  'model.choose': 'Choose a model',
  'model.none': 'no model selected',
  'model.free': 'Free',
  'model.search': 'Search models',
  'model.stale': 'Offline: showing the saved model list',
  'model.loading': 'Loading models…',
  'model.loadFailed': "Couldn't load the model list.",
  'model.noMatch': 'No model matches “{query}”.',
  'model.context': '{tokens} context',
  'model.price': '{input} in / {output} out per 1M tokens',
  'model.more': '{count} more: type to narrow the list',

  'message.list': 'Messages',
  'message.user': 'Your message',
  'message.assistant': 'Assistant message',
  'message.sending': 'Message being sent',
  'message.thinking': 'Thinking…',
  'message.copy': 'Copy',
  'message.copied': 'Copied',
  'message.copyCode': 'Copy code',
  'message.codeText': 'text',
  'message.regenerate': 'Regenerate',
  'message.retry': 'Retry',
  'message.stopped': 'Stopped',
  'message.incomplete': 'Incomplete — the answer was cut off',
  'message.tokens': '{count} tokens',
  'message.tokensDetail': '{prompt} prompt + {completion} completion tokens',
  'message.jumpToLatest': 'Jump to latest',

  'live.answering': 'The assistant is answering.',
  'live.done': 'The answer is complete.',
  'live.incomplete': 'The answer ended early.',

  'composer.label': 'Message',
  'composer.placeholder': 'Message {model}',
  'composer.placeholderNoModel': 'Write a message',
  'composer.send': 'Send',
  'composer.stop': 'Stop',
  'composer.hint': 'Enter to send · Shift+Enter for a new line',
  'composer.finePrint': 'Answers come from AI models and can be wrong. Check what matters.',

  'empty.title': 'What can I help with?',
  'empty.body': 'Ask anything. Answers stream in from {model}.',
  'empty.examples': 'Example prompts',
  'empty.example1.title': 'Explain a concept',
  'empty.example1': 'Explain OAuth PKCE to me like I’m new to web security, with a small diagram.',
  'empty.example2.title': 'Write some code',
  'empty.example2':
    'Write a TypeScript debounce function with a cancel method, and show how to test it.',
  'empty.example3.title': 'Plan something',
  'empty.example3': 'Plan a relaxed three-day trip to Kyoto in spring, with one day of hiking.',

  'provider.openrouter.tagline': 'One account for hundreds of AI models',
  'provider.yooai.tagline': 'Sign in with your YOO-AI account',
  'provider.yooai.setup':
    'Fill in the values from your YOO-AI app registration: its app_id, union_id and scope, and the redirect URI allowed by its security domain.',
  'provider.oidc.tagline': "Your organization's single sign-on",
  'provider.oidc.setup':
    "Fill in the issuer URL and client ID from your app registration at the identity provider (a public client with PKCE: there's no secret).",

  'status.signedOut': 'Signed out',
  'status.signingIn': 'Signing in…',
  'status.signedIn': 'Signed in',
  'status.signedInAs': 'Signed in as {label}',
  'status.notConfigured': 'Not configured',

  'signIn.primary': 'Sign in with {provider}',
  'signIn.privacy': 'Latchkey never sees your password.',
  'signIn.otherWays': 'Other ways to sign in',
  'signIn.loopback': 'Sign in with a local redirect',
  'signIn.loopbackHint':
    "Use this if your browser can't hand the sign-in back to Latchkey. Your browser returns to a temporary address on this computer instead.",

  'deepLinks.xdg-utils-missing':
    "Sign-in links can't open Latchkey on this computer: xdg-utils is not installed (on Debian or Ubuntu: sudo apt install xdg-utils).",
  'deepLinks.applications-unwritable':
    "Sign-in links can't open Latchkey on this computer: your applications folder (~/.local/share/applications) can't be written.",
  'deepLinks.foreign-entry':
    "Sign-in links can't open Latchkey on this computer: another program's launcher already uses the name latchkey.desktop, and Latchkey left it alone.",
  'deepLinks.xdg-mime-failed':
    "Sign-in links can't open Latchkey on this computer: your desktop did not accept Latchkey as the handler of its sign-in links.",
  'deepLinks.os-refused':
    "Sign-in links can't open Latchkey on this computer: the system did not accept Latchkey as the handler of its sign-in links.",
  'deepLinks.fallback':
    'Your browser will come back through a temporary address on this computer instead, and you can always paste the sign-in link.',

  'progress.title': 'Approve in your browser to finish signing in',
  'progress.body':
    'We opened {provider} in your browser. Approve access there and you will come right back.',
  'progress.expires': 'This request expires {when}.',
  'progress.openAgain': 'Open the browser again',
  'progress.cancel': 'Cancel sign-in',
  'progress.paste': 'Paste sign-in link',
  'progress.exchanging': 'Completing sign-in…',
  'progress.exchangingBody': 'Almost there. Latchkey is getting your key from {provider}.',

  'paste.label': 'Sign-in link',
  'paste.hint':
    'Didn’t come back automatically? Copy the full address your browser ended on and paste it here.',
  'paste.placeholder': 'app.latchkey://oauth/…',
  'paste.submit': 'Continue',
  'paste.empty': 'Paste the sign-in link from your browser first.',

  'settings.toggle': '{provider} settings',
  'settings.title': 'Settings',
  'settings.save': 'Save',
  'settings.discard': 'Undo changes',
  'settings.fromEnv': 'Filled in from the environment',
  'settings.locked': 'Sign out to change these settings.',
  'settings.lockedSigningIn': 'Cancel the sign-in to change these settings.',
  'settings.yooai.baseUrl': 'Base URL',
  'settings.yooai.baseUrl.hint': 'The address of the YOO-AI API.',
  'settings.yooai.appId': 'App ID',
  'settings.yooai.appId.hint': 'The app_id of your YOO-AI app registration.',
  'settings.yooai.unionId': 'Union ID',
  'settings.yooai.unionId.hint': 'The union_id of your YOO-AI app registration.',
  'settings.yooai.scope': 'Scope',
  'settings.yooai.scope.hint': 'The scope your app registration grants, as YOO-AI lists it.',
  'settings.yooai.redirectUri': 'Redirect URI',
  'settings.yooai.redirectUri.hint':
    "The default is Latchkey's own link. An https bridge page on your registered domain that forwards to it also works.",
  'settings.yooai.refreshPath': 'Refresh path',
  'settings.yooai.refreshPath.hint':
    "Where access tokens are renewed. YOO-AI's guide does not document it: ask your YOO-AI contact.",
  'settings.yooai.tokenLifetime': 'Token lifetime (minutes)',
  'settings.yooai.tokenLifetime.hint':
    'How long each access token lasts. Latchkey renews it before it ends.',
  'settings.oidc.displayName': 'Display name',
  'settings.oidc.displayName.hint': 'Shown on the sign-in button, for example “Company SSO”.',
  'settings.oidc.issuer': 'Issuer URL',
  'settings.oidc.issuer.hint': 'Latchkey discovers the sign-in endpoints from it.',
  'settings.oidc.clientId': 'Client ID',
  'settings.oidc.clientId.hint': 'From your app registration. No client secret is needed.',
  'settings.oidc.scopes': 'Scopes',
  'settings.oidc.scopes.hint': 'Separated by spaces. Include offline_access to stay signed in.',
  'settings.oidc.chatUrl': 'Chat base URL (optional)',
  'settings.oidc.chatUrl.hint':
    'An OpenAI-compatible endpoint such as https://llm.example.com/v1. Leave it empty to sign in without chat.',
  'settings.problem.required': 'Fill in this field.',
  'settings.problem.url':
    'Enter a full address starting with https:// (plain http only on this computer), without ? or #.',
  'settings.problem.minutes': 'Enter a number of minutes from 5 to 43200 (30 days).',
  'settings.problem.id': 'Copy it exactly from your app registration, without spaces.',
  'settings.problem.name': 'Use 1 to 40 characters.',
  'settings.problem.scopes': 'Separate scopes with spaces, at most 20.',
  'settings.problem.redirect':
    "Enter Latchkey's own link or an https page on your registered domain, without ? or #.",
  'settings.problem.path': 'Enter a path that starts with /, without ? or #.',
  'settings.problem.invalid': "This value isn't accepted. Check it against your app registration.",

  'session.ends': 'Session ends {date}',
  'session.endsIn': 'Session ends {when}',
  'session.renews': 'Access renews automatically.',
  'session.renewsOpen': 'Access renews automatically while the session lasts.',
  'session.retrying': "Couldn't renew — will retry",
  'session.unnamed': 'Signed-in account',

  'account.unnamed': 'Unnamed key',
  'account.used': 'Used',
  'account.remaining': 'Remaining',
  'account.limit': 'Limit {limit}',
  'account.noLimit': 'No limit',
  'account.freeTier': 'Free tier',
  'account.updated': 'Updated {when}',
  'account.lastKnown': 'Last known · {when}',
  'account.offline': 'Offline',
  'account.notLoaded': 'Account details are not loaded yet',
  'account.refresh': 'Refresh account',
  'account.signOut': 'Sign out',
  'account.area': '{provider} account',
  'account.settings': 'Account and settings',
  'account.creditLeft': '{amount} left',
  'account.notSaved': 'Key not saved on this device',
  'account.notSavedToken': 'Sign-in not saved on this device',

  'persistence.stored': 'Key stored encrypted on this device',
  'persistence.sessionOnly':
    "This device can't encrypt your key, so it will be forgotten when you quit.",
  'persistence.memoryOnly':
    "This device can't store your key safely, so it is kept only until you quit.",
  'persistence.memoryOnlyToken':
    "This device can't store your sign-in safely, so it is kept only until you quit.",
  'persistence.rememberAnyway': 'Remember on this device anyway',
  'persistence.rememberAnywayHint':
    'If you choose this, the key is saved without encryption, in a file that anyone with access to this computer account can read.',
  'persistence.storedWeak':
    'Key remembered without encryption: anyone with access to this computer account can read it.',
  'persistence.storedToken': 'Sign-in stored encrypted on this device',
  'persistence.sessionOnlyToken':
    "This device can't encrypt your sign-in, so it will be forgotten when you quit.",
  'persistence.storedWeakToken':
    'Sign-in remembered without encryption: anyone with access to this computer account can read it.',

  'signedOut.user': 'You signed out, and the key was deleted from this device.',
  'signedOut.userRevoke': 'The key itself keeps working until you revoke it.',
  'signedOut.revokeLink': 'Revoke the key on {provider}',
  'signedOut.revoked':
    'Your key was revoked or is no longer valid, so you were signed out. Sign in again to get a new key.',
  'signedOut.userToken': 'You signed out, and your sign-in was removed from this device.',
  'signedOut.revokedToken':
    'Your access was revoked or is no longer valid, so you were signed out. Sign in again to continue.',
  'signedOut.sessionEnded': 'Your session ended. Sign in again.',
  'signedOut.storeCorrupt':
    "The sign-in saved on this device couldn't be read, so Latchkey set it aside. Sign in again to continue.",

  'time.justNow': 'just now',

  'error.retry': 'Try again',
  'error.dismiss': 'Dismiss',
  'error.providerSaid': '{provider} said:',
  'error.code': 'Error code {code}',
  'error.retryAfter': 'You can try again {when}.',
  'error.unknown': 'Something unexpected went wrong.',
  'error.unknown.next': 'Try again. If it keeps happening, restart Latchkey.',

  'error.AUTH_CALLBACK_INVALID': "That sign-in link isn't valid.",
  'error.AUTH_CALLBACK_INVALID.next':
    "Copy the whole address from your browser's address bar, or start signing in again.",
  'error.AUTH_CALLBACK_UNKNOWN': "That sign-in link doesn't match a sign-in started here.",
  'error.AUTH_CALLBACK_UNKNOWN.next': 'Start signing in again from this window.',
  'error.AUTH_NO_PENDING_SIGN_IN': 'There is no sign-in waiting to be finished.',
  'error.AUTH_NO_PENDING_SIGN_IN.next': 'Start signing in again.',
  'error.AUTH_SIGN_IN_EXPIRED': 'The sign-in took too long and expired.',
  'error.AUTH_SIGN_IN_EXPIRED.next':
    'Start again, and approve access in your browser within 10 minutes.',
  'error.AUTH_DENIED': 'Access was not approved in the browser.',
  'error.AUTH_DENIED.next': 'If that was a mistake, sign in again and approve access.',
  'error.AUTH_PROVIDER_ERROR': "{provider} couldn't complete the sign-in.",
  'error.AUTH_PROVIDER_ERROR.next': 'Try again in a moment.',
  'error.AUTH_EXCHANGE_METHOD_MISMATCH':
    '{provider} turned down the sign-in after a security check.',
  'error.AUTH_EXCHANGE_METHOD_MISMATCH.next': 'Start signing in again.',
  'error.AUTH_EXCHANGE_REJECTED':
    "{provider} didn't accept this sign-in. The link may have been used already or expired.",
  'error.AUTH_EXCHANGE_REJECTED.next': 'Start signing in again.',
  'error.AUTH_EXCHANGE_NOT_ALLOWED': '{provider} refused the sign-in request.',
  'error.AUTH_EXCHANGE_NOT_ALLOWED.next':
    'Try again later. If it keeps happening, check for a Latchkey update.',
  'error.AUTH_EXCHANGE_IN_PROGRESS': 'A sign-in is already being completed.',
  'error.AUTH_EXCHANGE_IN_PROGRESS.next': 'Wait a moment for it to finish.',
  'error.AUTH_KEY_REVOKED': 'Your key was revoked or is no longer valid.',
  'error.AUTH_KEY_REVOKED.next': 'Sign in again to get a new key.',
  'error.AUTH_BROWSER_OPEN_FAILED': "Latchkey couldn't open your web browser.",
  'error.AUTH_BROWSER_OPEN_FAILED.next': 'Check that a default browser is set, then try again.',
  'error.AUTH_LOOPBACK_FAILED':
    "Latchkey couldn't set up a temporary sign-in address on this computer.",
  'error.AUTH_LOOPBACK_FAILED.next': 'Try again, or use the standard sign-in.',
  'error.AUTH_NOT_CONFIGURED': "{provider} isn't set up yet.",
  'error.AUTH_NOT_CONFIGURED.next':
    'Fill in its settings from your app registration, save them, then sign in.',
  'error.AUTH_DISCOVERY_FAILED': "Latchkey couldn't read {provider}'s sign-in configuration.",
  'error.AUTH_DISCOVERY_FAILED.next':
    'Check the issuer URL in the settings and your connection, then try again.',
  'error.AUTH_ISSUER_MISMATCH':
    "The sign-in answer didn't come from the expected {provider} server.",
  'error.AUTH_ISSUER_MISMATCH.next':
    'Start signing in again. If it keeps happening, check the issuer URL in the settings.',
  'error.AUTH_SESSION_ENDED': 'Your {provider} session ended.',
  'error.AUTH_SESSION_ENDED.next': 'Sign in again to continue.',
  'error.AUTH_REFRESH_UNAVAILABLE':
    '{provider} has no session renewal at the configured refresh path, so your session ended.',
  'error.AUTH_REFRESH_UNAVAILABLE.next':
    'Check the refresh path in the settings with your {provider} contact, then sign in again.',
  'error.SETTINGS_INVALID': 'Some {provider} settings are missing or not valid.',
  'error.SETTINGS_INVALID.next': 'Correct the highlighted field, then save again.',
  'error.SETTINGS_LOCKED': "{provider} settings can't be changed while you're signed in.",
  'error.SETTINGS_LOCKED.next': 'Sign out first, then change the settings.',
  'error.HTTP_CLIENT_ERROR': '{provider} turned down the request.',
  'error.HTTP_CLIENT_ERROR.next': 'Try again. If it keeps happening, sign out and sign in again.',
  'error.HTTP_SERVER_ERROR': '{provider} is having trouble right now.',
  'error.HTTP_SERVER_ERROR.next': 'Wait a minute, then try again.',
  'error.HTTP_RATE_LIMITED': '{provider} received too many requests.',
  'error.HTTP_RATE_LIMITED.next': 'Wait a little, then try again.',
  'error.HTTP_BAD_RESPONSE': "{provider} sent an answer Latchkey couldn't understand.",
  'error.HTTP_BAD_RESPONSE.next': 'This is usually temporary. Try again in a moment.',
  'error.HTTP_RESPONSE_TOO_LARGE': '{provider} sent an unexpectedly large answer.',
  'error.HTTP_RESPONSE_TOO_LARGE.next': 'Try again in a moment.',
  'error.HTTP_TIMEOUT': '{provider} took too long to answer.',
  'error.HTTP_TIMEOUT.next': 'Check your internet connection, then try again.',
  'error.NETWORK_OFFLINE': "Latchkey can't reach {provider}.",
  'error.NETWORK_OFFLINE.next': 'Check your internet connection or proxy, then try again.',
  'error.NETWORK_PROXY': "Latchkey couldn't reach {provider} through the proxy server.",
  'error.NETWORK_PROXY.next':
    "Latchkey uses this computer's proxy settings. Check them, or ask your IT team, then try again.",
  'error.NETWORK_CERTIFICATE': "Latchkey couldn't verify the secure connection to {provider}.",
  'error.NETWORK_CERTIFICATE.next':
    'If your organization inspects secure traffic, its certificate must be installed on this computer (ask your IT team). Also check the date and time, then try again.',
  'error.CHAT_NOT_SIGNED_IN': "You're not signed in to {provider}.",
  'error.CHAT_NOT_SIGNED_IN.next': 'Sign in, then send your message again.',
  'error.addCredits': 'Add credits on OpenRouter',
  'error.CHAT_OUT_OF_CREDITS': 'Your {provider} account is out of credits.',
  'error.CHAT_OUT_OF_CREDITS.next':
    'Add credits on {provider}, or pick a free model, then try again.',
  'error.CHAT_RATE_LIMITED': '{provider} is getting too many requests from you right now.',
  'error.CHAT_RATE_LIMITED.next': 'Wait a moment, then try again.',
  'error.CHAT_STREAM_ERROR': '{provider} ran into a problem while answering.',
  'error.CHAT_STREAM_ERROR.next': 'Try again, or pick another model.',
  'error.CHAT_STREAM_INCOMPLETE': 'The answer was cut off before it finished.',
  'error.CHAT_STREAM_INCOMPLETE.next': 'Regenerate it to get a complete answer.',
  'error.CHAT_NOT_FOUND': 'This conversation no longer exists.',
  'error.CHAT_NOT_FOUND.next': 'It may have been deleted. Start a new chat.',
  'error.CHAT_BUSY': 'An answer is still being written in this conversation.',
  'error.CHAT_BUSY.next': 'Wait for it to finish, or stop it, then send again.',
  'error.CHAT_STOPPED': 'Stopped before the answer started.',
  'error.CHAT_STOPPED.next': 'Your message was not sent; it is back in the message box.',
  'error.CHAT_BAD_REQUEST': "{provider} couldn't process this request.",
  'error.CHAT_BAD_REQUEST.next': 'Choose a model, or try a different one, then send again.',
  'error.STORE_WRITE_FAILED': "Latchkey couldn't save your sign-in on this device.",
  'error.STORE_WRITE_FAILED.next': "Check that the disk isn't full, then try again.",
  'error.STORE_CORRUPT': "The sign-in saved on this device couldn't be read.",
  'error.STORE_CORRUPT.next': 'Sign in again to continue.',
  'error.EXPORT_WRITE_FAILED': "Latchkey couldn't save the exported file.",
  'error.EXPORT_WRITE_FAILED.next': 'Choose another folder or file name, then try again.',
  'error.CLIPBOARD_FAILED': "Latchkey couldn't copy to the clipboard.",
  'error.CLIPBOARD_FAILED.next': 'Try again.',
  'error.IPC_INVALID_ARGUMENT': "Latchkey received a request it couldn't handle.",
  'error.IPC_INVALID_ARGUMENT.next': 'Try again. If it keeps happening, restart Latchkey.',
  'error.IPC_FORBIDDEN_SENDER': 'That request was blocked to keep you safe.',
  'error.IPC_FORBIDDEN_SENDER.next': 'Restart Latchkey, then try again.',
  'error.SHELL_URL_REJECTED': 'Latchkey only opens secure web addresses, so that link was blocked.',
  'error.SHELL_URL_REJECTED.next': 'If you trust the page, open it in your browser yourself.',
  'error.CONFIG_INVALID': 'The settings for {provider} are incomplete or invalid.',
  'error.CONFIG_INVALID.next': 'Check the provider settings, then try again.',
  'error.INTERNAL': 'Something went wrong inside Latchkey.',
  'error.INTERNAL.next': 'Try again. If it keeps happening, restart Latchkey.',

  'notice.dismiss': 'Got it',
  'notice.path': 'Moved to {path}',
  'notice.STORE_CORRUPT_MOVED':
    "Latchkey couldn't read its saved data, so it moved the file aside and started fresh.",
  'notice.STORE_CORRUPT_MOVED.next': 'You may need to sign in again.',
  'notice.STORE_WRITE_FAILED': "Latchkey couldn't save its data to disk.",
  'notice.STORE_WRITE_FAILED.next':
    "Recent changes may be lost when you quit. Check that the disk isn't full.",
} satisfies Record<string, string>;

export type MessageKey = keyof typeof en;
