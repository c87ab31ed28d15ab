; Latchkey's additions to electron-builder's NSIS installer (electron-builder.yml nsis.include).
;
; The installer registers no URL scheme: the app registers app.latchkey itself at runtime with
; app.setAsDefaultProtocolClient('app.latchkey') (main/deep-link/electron-listener.ts). On Windows
; Electron writes, per user (shell/browser/browser_win.cc, Browser::SetAsDefaultProtocolClient):
;
;   HKCU\Software\Classes\app.latchkey                     (default) = "URL:app.latchkey"
;                                                           URL Protocol = ""
;   HKCU\Software\Classes\app.latchkey\shell\open\command  (default) = "<exe>" "%1"
;
; where "<exe>" is the running executable quoted by electron::AddQuoteForArg
; (shell/common/command_line_util_win.cc; a Windows path always contains a backslash, so it is
; always quoted) followed by " "%1"" (GetProtocolLaunchPath in browser_win.cc).
;
; Uninstalling must not leave that key pointing at a deleted exe, so it is removed here — but only
; when it still points at this installation's exe: another copy of Latchkey (or another app) that
; registered the scheme since keeps it. On an update (the old uninstaller runs with --updated,
; ${isUpdated}) the exe path does not change and the key is kept.
;
; Names used, as electron-builder 26.17 defines them (node_modules/app-builder-lib/templates/nsis):
;   ${APP_EXECUTABLE_FILENAME}  common.nsh: "${PRODUCT_FILENAME}.exe" (Latchkey.exe)
;   $INSTDIR                    the installation directory, no trailing backslash
;   ${isUpdated}                the "updated" flag (out/targets/nsis/NsisTarget.js
;                               computeCommonInstallerScriptHeader → nsisScriptGenerator.js flags)
;   customUnInstall             inserted by uninstaller.nsh in the uninstall section, before the
;                               installed files are deleted
; LogicLib (${If}) is included by electron-builder's templates.

!macro customUnInstall
  ${ifNot} ${isUpdated}
    Push $0
    Push $1
    ClearErrors
    ReadRegStr $0 HKCU "Software\Classes\app.latchkey\shell\open\command" ""
    ; NSIS string comparison ignores case, as Windows paths do.
    StrCpy $1 '"$INSTDIR\${APP_EXECUTABLE_FILENAME}" "%1"'
    ${if} $0 == $1
      DetailPrint "Removing the app.latchkey: URL handler (HKCU\Software\Classes\app.latchkey)"
      DeleteRegKey HKCU "Software\Classes\app.latchkey"
    ${endIf}
    Pop $1
    Pop $0
  ${endIf}
!macroend
