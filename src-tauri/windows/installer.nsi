; Herald's Windows installer (NSIS 3). It installs Herald for the current user only, with no
; administrator rights, into %LOCALAPPDATA%\Programs\Herald.
;
; Build it with makensis (NSIS 3.08 or later), from the repository root, for example on Debian:
;
;   makensis -V2 -WX -NOCD \
;     -DVERSION=0.1.0 \
;     -DSRC_DIR=target/x86_64-pc-windows-gnu/release \
;     -DICON=icons/icon.ico \
;     -DOUTFILE=target/x86_64-pc-windows-gnu/release/bundle/nsis/Herald_0.1.0_x64-setup.exe \
;     src-tauri/windows/installer.nsi
;
; -NOCD keeps relative paths relative to the folder makensis runs in (without it, makensis
; works from this script's folder). On Linux the options must start with "-"; on Windows
; "/DNAME=value" works too. SRC_DIR must hold herald.exe, herald-cli.exe and
; WebView2Loader.dll (the GNU build of Herald loads WebView2Loader.dll at run time, so it must
; sit beside herald.exe). The folder of OUTFILE must already exist. VERSION must be three
; numbers (x.y.z): Windows version information needs plain numbers.
;
; Silent use:  setup.exe /S [/D=C:\path]       install without questions
;              uninstall.exe /S               uninstall; the user's data is kept
;              uninstall.exe /S /DELETEDATA   uninstall and delete the user's data
;
; The installer itself is a 32-bit program (NSIS's usual x86 stub) on purpose: that way it can
; still start on 32-bit Windows and say clearly that Herald needs 64-bit Windows.

Unicode true
ManifestDPIAware true
SetCompressor /SOLID lzma

!macro RequireDefine NAME
  !ifndef ${NAME}
    !error "${NAME} is not defined. Pass -DVERSION=x.y.z -DSRC_DIR=<folder with herald.exe> -DICON=<icon.ico> -DOUTFILE=<setup.exe> to makensis."
  !endif
!macroend
!insertmacro RequireDefine VERSION
!insertmacro RequireDefine SRC_DIR
!insertmacro RequireDefine ICON
!insertmacro RequireDefine OUTFILE

!define PRODUCT "Herald"
!define IDENTIFIER "app.herald.desktop"
!define PUBLISHER "Herald"
!define UNINSTALLER "uninstall.exe"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${IDENTIFIER}"
; Microsoft Edge WebView2 Runtime (Evergreen): its EdgeUpdate client id, and its download page.
!define WEBVIEW2_CLIENT "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"
!define WEBVIEW2_URL "https://go.microsoft.com/fwlink/p/?LinkId=2124703"

!include MUI2.nsh
!include LogicLib.nsh
!include x64.nsh
!include FileFunc.nsh

Name "${PRODUCT}"
OutFile "${OUTFILE}"
BrandingText "${PRODUCT} ${VERSION}"
RequestExecutionLevel user
InstallDir "$LOCALAPPDATA\Programs\${PRODUCT}"
; An upgrade goes where the previous version was installed.
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
ShowInstDetails show
ShowUninstDetails show

; The version of the WebView2 Runtime found, or "" when there is none.
Var WebView2Version

; ---- Pages (Modern UI 2) ----

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_ABORTWARNING_TEXT "Stop installing Herald?"

!define MUI_WELCOMEPAGE_TITLE "Install Herald ${VERSION}"
!define MUI_WELCOMEPAGE_TEXT "This will install Herald on this computer, for your Windows account only. You do not need administrator rights.$\r$\n$\r$\nIf Herald is open, quit it first: right-click its icon in the notification area (next to the clock) and choose Quit.$\r$\n$\r$\nClick Next to continue."
!insertmacro MUI_PAGE_WELCOME

!define MUI_DIRECTORYPAGE_TEXT_TOP "Herald will be installed in the folder below. To install it somewhere else, click Browse and choose another folder. Your campaigns and settings are kept separately and are not affected."
!insertmacro MUI_PAGE_DIRECTORY

!insertmacro MUI_PAGE_INSTFILES

!define MUI_FINISHPAGE_TITLE "Herald is installed"
!define MUI_FINISHPAGE_TEXT "You can start Herald from the Start menu at any time."
!define MUI_FINISHPAGE_RUN "$INSTDIR\herald.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Run Herald"
!define MUI_PAGE_CUSTOMFUNCTION_SHOW FinishPageShow
!insertmacro MUI_PAGE_FINISH

!define MUI_UNCONFIRMPAGE_TEXT_TOP "Herald will be removed from this computer. You will be asked whether to keep your campaigns, settings and logs."
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES

!insertmacro MUI_LANGUAGE "English"

; ---- Version information of setup.exe (VIProductVersion needs four numbers) ----

VIProductVersion "${VERSION}.0"
VIFileVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${PRODUCT}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "FileDescription" "${PRODUCT} ${VERSION} Setup"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "LegalCopyright" "${PUBLISHER}"

; ---- Shared pieces ----

; Waits until the program named on the stack (in $INSTDIR) is not running: a running program
; cannot be opened for writing. Cancel, and any silent run, stops Setup without changing anything.
!macro WaitUntilClosedFunction UN
  Function ${UN}WaitUntilClosed
    Exch $0 ; the file name
    Push $1
    ${Do}
      ${IfNot} ${FileExists} "$INSTDIR\$0"
        ${Break}
      ${EndIf}
      ClearErrors
      FileOpen $1 "$INSTDIR\$0" a
      ${IfNot} ${Errors}
        FileClose $1
        ${Break}
      ${EndIf}
      MessageBox MB_RETRYCANCEL|MB_ICONEXCLAMATION "Herald is running. Quit it first: right-click its icon in the notification area (next to the clock) and choose Quit. If the Herald command-line tool (herald-cli) is running, wait for it to finish.$\r$\n$\r$\nThen click Retry." /SD IDCANCEL IDRETRY retry
      SetErrorLevel 3
      Quit
    retry:
    ${Loop}
    Pop $1
    Pop $0
  FunctionEnd
!macroend
!insertmacro WaitUntilClosedFunction ""
!insertmacro WaitUntilClosedFunction "un."

!macro WaitUntilHeraldIsClosed UN
  Push "herald.exe"
  Call ${UN}WaitUntilClosed
  Push "herald-cli.exe"
  Call ${UN}WaitUntilClosed
!macroend

; ---- Installer ----

Function .onInit
  SetShellVarContext current
  ${IfNot} ${RunningX64}
    MessageBox MB_OK|MB_ICONSTOP "Herald needs 64-bit Windows (Windows 10 or 11, 64-bit). This computer runs 32-bit Windows, so Herald cannot be installed on it." /SD IDOK
    SetErrorLevel 2
    Quit
  ${EndIf}
FunctionEnd

; Sets $WebView2Version to the installed WebView2 Runtime's version, or "" if there is none.
; The runtime registers itself machine-wide (in the 32-bit view of HKLM on 64-bit Windows,
; hence WOW6432Node) or, when installed per user, in HKCU.
Function FindWebView2
  SetRegView 64
  ReadRegStr $WebView2Version HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  ${If} $WebView2Version == ""
  ${OrIf} $WebView2Version == "0.0.0.0"
    ReadRegStr $WebView2Version HKLM "SOFTWARE\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  ${If} $WebView2Version == ""
  ${OrIf} $WebView2Version == "0.0.0.0"
    ReadRegStr $WebView2Version HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_CLIENT}" "pv"
  ${EndIf}
  SetRegView default
  ${If} $WebView2Version == "0.0.0.0"
    StrCpy $WebView2Version ""
  ${EndIf}
FunctionEnd

Section "Herald" SecHerald
  SectionIn RO
  SetShellVarContext current

  !insertmacro WaitUntilHeraldIsClosed ""

  Call FindWebView2
  ${If} $WebView2Version != ""
    DetailPrint "Microsoft Edge WebView2 Runtime $WebView2Version is installed."
  ${Else}
    DetailPrint "Microsoft Edge WebView2 Runtime was not found. Herald will not start until it is installed: ${WEBVIEW2_URL}"
    ; Yes opens Microsoft's download page; No (and any silent run) just goes on installing.
    MessageBox MB_YESNO|MB_ICONEXCLAMATION "Herald needs Microsoft Edge WebView2 Runtime, which Windows 10 and 11 usually include. It was not found on this computer. Install it from Microsoft (${WEBVIEW2_URL}), then run Herald.$\r$\n$\r$\nOpen Microsoft's download page now?$\r$\n$\r$\nYes: open the page in your browser and go on installing Herald.$\r$\nNo: go on installing Herald without it." /SD IDNO IDNO webview2_done
    ExecShell "open" "${WEBVIEW2_URL}"
  webview2_done:
  ${EndIf}

  SetOutPath "$INSTDIR"
  File "${SRC_DIR}/herald.exe"
  File "${SRC_DIR}/herald-cli.exe"
  File "${SRC_DIR}/WebView2Loader.dll"

  ; A silent install has no window to show its details in: note the missing runtime in a file.
  ${If} ${Silent}
  ${AndIf} $WebView2Version == ""
    ClearErrors
    FileOpen $0 "$INSTDIR\install.log" a
    ${IfNot} ${Errors}
      FileSeek $0 0 END
      FileWrite $0 "Herald ${VERSION} setup: Microsoft Edge WebView2 Runtime was not found. Herald will not start until it is installed: ${WEBVIEW2_URL}$\r$\n"
      FileClose $0
    ${EndIf}
  ${EndIf}

  CreateShortcut "$SMPROGRAMS\${PRODUCT}.lnk" "$INSTDIR\herald.exe" "" "$INSTDIR\herald.exe" 0

  WriteUninstaller "$INSTDIR\${UNINSTALLER}"

  ; "Apps & features" / "Programs and Features", for this user only.
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${PRODUCT}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\herald.exe,0"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\${UNINSTALLER}"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\${UNINSTALLER}" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  IntFmt $0 "0x%08X" $0
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" $0
SectionEnd

; Without the WebView2 Runtime Herald cannot open its window: do not offer to run it then.
Function FinishPageShow
  ${If} $WebView2Version == ""
    ${NSD_Uncheck} $mui.FinishPage.Run
  ${EndIf}
FunctionEnd

; ---- Uninstaller ----

Function un.onInit
  SetShellVarContext current
  ; $INSTDIR is the uninstaller's own folder here.
  !insertmacro WaitUntilHeraldIsClosed "un."
FunctionEnd

Section "Uninstall"
  SetShellVarContext current

  Delete "$INSTDIR\herald.exe"
  Delete "$INSTDIR\herald-cli.exe"
  Delete "$INSTDIR\WebView2Loader.dll"
  Delete "$INSTDIR\install.log"
  Delete "$INSTDIR\${UNINSTALLER}"
  ; Only if it is now empty: never delete files Herald did not put there.
  RMDir "$INSTDIR"

  Delete "$SMPROGRAMS\${PRODUCT}.lnk"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"

  ; The user's data is kept unless they ask: a question when interactive, /DELETEDATA when silent.
  StrCpy $0 "keep"
  ${If} ${Silent}
    ${un.GetParameters} $1
    ClearErrors
    ${un.GetOptions} $1 "/DELETEDATA" $2
    ${IfNot} ${Errors}
      StrCpy $0 "delete"
    ${EndIf}
  ${Else}
    MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 "Also delete your Herald campaigns, settings and logs?$\r$\n$\r$\nThey are in $APPDATA\${IDENTIFIER}. Choose No to keep them, for example to reinstall Herald later.$\r$\n$\r$\nEither way, passwords that Herald saved stay in Windows Credential Manager (entries named after Herald); remove them there if you no longer need them." /SD IDNO IDNO data_answered
    StrCpy $0 "delete"
  data_answered:
  ${EndIf}

  ${If} $0 == "delete"
    RMDir /r "$APPDATA\${IDENTIFIER}"
    ; The web view's own cache and storage (WebView2 keeps them under Local AppData).
    RMDir /r "$LOCALAPPDATA\${IDENTIFIER}"
    DetailPrint "Deleted your Herald campaigns, settings and logs."
  ${Else}
    DetailPrint "Kept your Herald campaigns, settings and logs in $APPDATA\${IDENTIFIER}."
  ${EndIf}
  DetailPrint "Passwords saved by Herald stay in Windows Credential Manager."
SectionEnd
