; Inno Setup 6 script of 清风台账: a per-user install (no administrator needed) from the
; PyInstaller folder built by installer/qingfeng.spec. See installer/README.md.
;
;   ISCC.exe /DAppVersion=0.1.0 installer\qingfeng.iss
;
; The database, its key file and the backups live in the user's data folder
; (%LOCALAPPDATA%\QingfengLedger), not in the program folder: installing a newer version over
; an older one keeps them (the program upgrades the database on first start after a verified
; backup), and uninstalling keeps them unless the user explicitly asks to delete them.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif
#ifndef BundleDir
  #define BundleDir "..\dist\qingfeng"
#endif

[Setup]
AppId={{5B0E6C39-3F1B-4C55-9A55-2E4C1C7A9F10}
AppName=清风台账
AppVersion={#AppVersion}
AppPublisher=清风台账
DefaultDirName={localappdata}\Programs\QingfengLedger
DefaultGroupName=清风台账
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\dist
OutputBaseFilename=清风台账-{#AppVersion}-安装程序
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
UninstallDisplayName=清风台账 {#AppVersion}
UninstallDisplayIcon={app}\qingfeng.exe
CloseApplications=yes

[Languages]
; ChineseSimplified.isl ships with Inno Setup 6.4 and later (see README.md for older versions)
Name: "chs"; MessagesFile: "compiler:Languages\ChineseSimplified.isl"

[Tasks]
Name: "desktopicon"; Description: "在桌面上建立快捷方式"; GroupDescription: "快捷方式："

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{userprograms}\清风台账\清风台账"; Filename: "{app}\qingfeng.exe"
Name: "{userprograms}\清风台账\清风台账 自检"; Filename: "{app}\qingfeng-cli.exe"; Parameters: "doctor"
Name: "{userprograms}\清风台账\卸载清风台账"; Filename: "{uninstallexe}"
Name: "{userdesktop}\清风台账"; Filename: "{app}\qingfeng.exe"; Tasks: desktopicon

[Run]
Filename: "{app}\qingfeng.exe"; Description: "现在启动清风台账"; Flags: nowait postinstall skipifsilent

[Code]
function DataDir(): String;
begin
  Result := ExpandConstant('{localappdata}\QingfengLedger');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DirExists(DataDir()) and not UninstallSilent() then
  begin
    { the default answer keeps the data: only an explicit, confirmed "是" deletes it }
    if MsgBox('程序已卸载。数据库、密钥文件和备份仍保留在：' + #13#10 + DataDir() + #13#10#13#10 +
              '是否连同数据库和所有备份一起删除？删除后无法恢复。' + #13#10 +
              '（保留它们，重新安装后可以继续使用。）',
              mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
    begin
      if MsgBox('再次确认：永久删除 ' + DataDir() + ' 中的数据库和全部备份？',
                mbError, MB_YESNO or MB_DEFBUTTON2) = IDYES then
        DelTree(DataDir(), True, True, True);
    end;
  end;
end;
