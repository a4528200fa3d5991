//! Every string of the user interface in the three supported languages.
//!
//! A plain table keeps the bundle small and lets the compiler check that no string is missing a
//! translation: each [`Msg`] arm must name all three texts. How numbers are written for display
//! is `format`'s. Which language a screen shows is the app's to decide (`i18n::locale`).
//!
//! The table is a crate of its own because two programs write these strings: the app, and the
//! server, which renders a survey's first page into the page it serves so the respondent sees
//! the question before the app has loaded (`manyi-server`'s `prerender`). Both take every
//! string from here, so the two renderings cannot disagree.

pub mod format;

/// A language of the user interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    ZhCn,
    ZhTw,
    En,
}

impl Lang {
    /// Every language, in the order the language switch lists them.
    pub const ALL: [Lang; 3] = [Lang::ZhCn, Lang::ZhTw, Lang::En];

    /// The BCP 47 tag used in URLs, `lang` attributes and responses.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::ZhCn => "zh-CN",
            Lang::ZhTw => "zh-TW",
            Lang::En => "en",
        }
    }

    /// The language's own name, so people can find theirs whatever language is showing.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::ZhCn => "简体中文",
            Lang::ZhTw => "繁體中文",
            Lang::En => "English",
        }
    }

    /// Maps a browser or URL language tag onto a supported language. Traditional Chinese is
    /// used in Taiwan, Hong Kong and Macau and is also requested with the `Hant` script subtag.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        let mut parts = tag.split(['-', '_']);
        match parts.next()? {
            "en" => Some(Lang::En),
            "zh" => {
                let rest: Vec<&str> = parts.collect();
                let traditional = rest
                    .iter()
                    .any(|p| matches!(*p, "tw" | "hk" | "mo" | "hant"));
                Some(if traditional { Lang::ZhTw } else { Lang::ZhCn })
            }
            _ => None,
        }
    }
}

/// Which language a screen shows: the one `requested` (a page's `?lang`), then the browser's
/// languages best first, then `fallback`, each only if `offered` has it. The app decides so
/// (`i18n::locale::ui_lang`), and so does the server for the page it draws before the app
/// arrives, from the request's `Accept-Language`.
pub fn choose(requested: Option<Lang>, browser: &[Lang], offered: &[Lang], fallback: Lang) -> Lang {
    requested
        .into_iter()
        .chain(browser.iter().copied())
        .find(|l| offered.contains(l))
        .unwrap_or(fallback)
}

/// The languages `survey` is offered in, and the one to fall back on.
pub fn survey_langs(survey: &manyi_core::Survey) -> (Vec<Lang>, Lang) {
    let offered = survey
        .locales_or_default()
        .iter()
        .filter_map(|tag| Lang::from_tag(tag))
        .collect();
    let fallback = Lang::from_tag(&survey.default_locale).unwrap_or(Lang::ZhCn);
    (offered, fallback)
}

/// A fixed string of the user interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Msg {
    HomeTitle,
    HomeIntro,
    LanguageLabel,
    BuiltIn,
    Imported,
    StartSurvey,
    ImportHeading,
    ImportHelp,
    ImportFileLabel,
    ImportInvalid,
    ImportUnreadable,
    ResultsLink,
    HomeLink,
    Back,
    Next,
    Submit,
    Required,
    EveryRow,
    ContactYes,
    ContactNo,
    ContactHow,
    ContactPhone,
    ContactEmail,
    ContactPhoneLabel,
    ContactEmailLabel,
    ContactPhoneHint,
    RequiredMark,
    InvalidAnswer,
    MultiHint,
    StartOver,
    Resumed,
    ThankYouHeading,
    DefaultThankYou,
    SavedOnDevice,
    NotSaved,
    DownloadResponse,
    YourScores,
    NpsScore,
    CsatScore,
    CesScore,
    CompositeScore,
    SurveyNotFound,
    Loading,
    KioskStart,
    KioskWelcome,
    KioskStaff,
    KioskStillThere,
    KioskContinue,
    KioskPinLabel,
    KioskPinWrong,
    KioskUnlock,
    KioskCancel,
    KioskSetupTitle,
    KioskNewPin,
    KioskPinRule,
    KioskCounter,
    KioskLocation,
    KioskLanguage,
    KioskEndpoint,
    KioskResetSecs,
    KioskIdleSecs,
    KioskIdleRule,
    KioskResetRule,
    KioskOnIdle,
    KioskIdleDiscard,
    KioskIdleSubmit,
    KioskSave,
    KioskRequired,
    StorageUnavailable,
    StorageFull,
    StorageFailed,
    ResultsTitle,
    ResultsEmpty,
    Responses,
    Nps,
    Csat,
    Ces,
    Composite,
    Dimensions,
    Dimension,
    Score,
    Alpha,
    Questions,
    Question,
    Count,
    Mean,
    NpsLow,
    NpsHigh,
}

impl Msg {
    /// The text of this string in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        let (zh_cn, zh_tw, en) = match self {
            Msg::HomeTitle => ("本设备上的问卷", "本裝置上的問卷", "Surveys on this device"),
            Msg::HomeIntro => (
                "选择一份问卷开始作答。答案只保存在本设备上，稍后再发送。",
                "選擇一份問卷開始填答。答案只儲存在本裝置上，稍後再傳送。",
                "Choose a survey to answer. Answers are kept on this device and sent later.",
            ),
            Msg::LanguageLabel => ("语言", "語言", "Language"),
            Msg::BuiltIn => ("内置模板", "內建範本", "Built-in template"),
            Msg::Imported => ("已导入", "已匯入", "Imported"),
            Msg::StartSurvey => ("开始作答", "開始填答", "Start"),
            Msg::ImportHeading => ("导入问卷定义", "匯入問卷定義", "Import a survey definition"),
            Msg::ImportHelp => (
                "选择一个 JSON 格式的问卷定义文件（manyi 或 SurveyJS 格式），它会保存在本设备上。",
                "選擇一個 JSON 格式的問卷定義檔（manyi 或 SurveyJS 格式），它會儲存在本裝置上。",
                "Choose a survey definition in JSON (manyi's or SurveyJS's); it is kept on this device.",
            ),
            Msg::ImportFileLabel => (
                "问卷定义文件（JSON）",
                "問卷定義檔（JSON）",
                "Definition file (JSON)",
            ),
            Msg::ImportInvalid => (
                "无法导入该文件，请修正以下问题后重试：",
                "無法匯入此檔案，請修正下列問題後再試：",
                "The file could not be imported. Fix these problems and try again:",
            ),
            Msg::ImportUnreadable => (
                "无法读取该文件。",
                "無法讀取此檔案。",
                "The file could not be read.",
            ),
            Msg::ResultsLink => ("本设备上的结果", "本裝置上的結果", "Results on this device"),
            Msg::HomeLink => ("全部问卷", "全部問卷", "All surveys"),
            Msg::Back => ("上一页", "上一頁", "Back"),
            Msg::Next => ("下一页", "下一頁", "Next"),
            Msg::Submit => ("提交", "送出", "Submit"),
            Msg::Required => (
                "此题为必答题。",
                "此題為必答題。",
                "This question is required.",
            ),
            Msg::EveryRow => (
                "请回答每一行。",
                "請回答每一列。",
                "Please answer every row.",
            ),
            Msg::ContactYes => (
                "可以，请联系我",
                "可以，請聯絡我",
                "Yes, you may contact me",
            ),
            Msg::ContactNo => ("不用联系我", "不用聯絡我", "No, please don't contact me"),
            Msg::ContactHow => (
                "我们该如何联系您？",
                "我們該如何聯絡您？",
                "How may we contact you?",
            ),
            Msg::ContactPhone => ("电话", "電話", "Phone"),
            Msg::ContactEmail => ("电子邮件", "電子郵件", "E-mail"),
            Msg::ContactPhoneLabel => ("电话号码", "電話號碼", "Phone number"),
            Msg::ContactEmailLabel => ("电子邮件地址", "電子郵件地址", "E-mail address"),
            Msg::ContactPhoneHint => (
                "例如 138 1234 5678；中国大陆以外的号码请加国家或地区代码，如 +852。",
                "例如 +886 912 345 678 或 +852 2123 4567，請包含國家或地區代碼。",
                "For example +86 138 1234 5678, with the country code.",
            ),
            Msg::RequiredMark => ("（必答）", "（必答）", "(required)"),
            Msg::InvalidAnswer => (
                "这个答案无效。",
                "這個答案無效。",
                "This answer is not valid.",
            ),
            Msg::MultiHint => ("可多选。", "可複選。", "Choose all that apply."),
            Msg::StartOver => ("重新开始", "重新開始", "Start over"),
            Msg::Resumed => (
                "已恢复您之前填写的答案，可以继续作答。",
                "已恢復您先前填寫的答案，可以繼續填答。",
                "We restored the answers you gave earlier; you can carry on.",
            ),
            Msg::ThankYouHeading => ("谢谢！", "謝謝！", "Thank you!"),
            Msg::DefaultThankYou => (
                "您的回答已记录。",
                "您的回覆已記錄。",
                "Your response has been recorded.",
            ),
            Msg::SavedOnDevice => (
                "您的回答已保存在本设备上，稍后会自动发送。",
                "您的回覆已儲存在本裝置上，稍後會自動傳送。",
                "Your response is saved on this device and will be sent later.",
            ),
            Msg::NotSaved => (
                "无法在本设备上保存您的回答。请下载保存，以免丢失：",
                "無法在本裝置上儲存您的回覆。請下載保存，以免遺失：",
                "Your response could not be saved on this device. Download it so it is not lost:",
            ),
            Msg::DownloadResponse => (
                "下载回答（JSON）",
                "下載回覆（JSON）",
                "Download response (JSON)",
            ),
            Msg::YourScores => ("您的得分", "您的分數", "Your scores"),
            Msg::NpsScore => (
                "推荐意愿（0–10）",
                "推薦意願（0–10）",
                "Likelihood to recommend (0–10)",
            ),
            Msg::CsatScore => ("满意度", "滿意度", "Satisfaction"),
            Msg::CesScore => ("便捷度", "便利性", "Ease"),
            Msg::CompositeScore => (
                "综合指数（0–100）",
                "綜合指數（0–100）",
                "Overall index (0–100)",
            ),
            Msg::Loading => ("正在加载……", "正在載入……", "Loading…"),
            Msg::KioskStart => ("轻触开始", "輕觸開始", "Tap to start"),
            Msg::KioskWelcome => (
                "请花一分钟告诉我们您的体验。",
                "請花一分鐘告訴我們您的體驗。",
                "Please take a minute to tell us how it went.",
            ),
            Msg::KioskStaff => (
                "工作人员设置（长按）",
                "工作人員設定（長按）",
                "Staff settings (press and hold)",
            ),
            Msg::KioskStillThere => ("您还在吗？", "您還在嗎？", "Are you still there?"),
            Msg::KioskContinue => ("继续作答", "繼續填答", "Continue"),
            Msg::KioskPinLabel => ("工作人员 PIN 码", "工作人員 PIN 碼", "Staff PIN"),
            Msg::KioskPinWrong => (
                "PIN 码不正确。",
                "PIN 碼不正確。",
                "That PIN is not correct.",
            ),
            Msg::KioskUnlock => ("进入设置", "進入設定", "Open settings"),
            Msg::KioskCancel => ("取消", "取消", "Cancel"),
            Msg::KioskSetupTitle => ("自助终端设置", "自助終端設定", "Kiosk settings"),
            Msg::KioskNewPin => (
                "新 PIN 码（至少 4 位数字）",
                "新 PIN 碼（至少 4 位數字）",
                "New PIN (at least 4 digits)",
            ),
            Msg::KioskPinRule => (
                "PIN 码须为至少 4 位数字。",
                "PIN 碼須為至少 4 位數字。",
                "The PIN must be at least 4 digits.",
            ),
            Msg::KioskCounter => ("柜台编号", "櫃檯編號", "Counter"),
            Msg::KioskLocation => ("地点", "地點", "Location"),
            Msg::KioskLanguage => ("默认语言", "預設語言", "Default language"),
            Msg::KioskEndpoint => (
                "服务器 API 地址（留空则使用本站）",
                "伺服器 API 位址（留空則使用本站）",
                "Server API address (empty: this site)",
            ),
            Msg::KioskResetSecs => (
                "感谢页停留秒数",
                "感謝頁停留秒數",
                "Seconds on the thank-you screen",
            ),
            Msg::KioskIdleSecs => (
                "无操作多少秒后结束（至少 15）",
                "無操作多少秒後結束（至少 15）",
                "Seconds without activity before ending (at least 15)",
            ),
            Msg::KioskIdleRule => (
                "无操作时间至少为 15 秒。",
                "無操作時間至少為 15 秒。",
                "The idle time must be at least 15 seconds.",
            ),
            Msg::KioskResetRule => (
                "感谢页停留时间须在 1 到 120 秒之间。",
                "感謝頁停留時間須在 1 到 120 秒之間。",
                "The thank-you time must be 1 to 120 seconds.",
            ),
            Msg::KioskOnIdle => (
                "无操作时的未完成答案",
                "無操作時的未完成答案",
                "Unfinished answers when idle",
            ),
            Msg::KioskIdleDiscard => ("丢弃", "捨棄", "Discard"),
            Msg::KioskIdleSubmit => (
                "作为未完成回答提交",
                "作為未完成回覆提交",
                "Submit as a partial response",
            ),
            Msg::KioskSave => ("保存", "儲存", "Save"),
            Msg::KioskRequired => ("请填写此项。", "請填寫此項。", "Please fill this in."),
            Msg::SurveyNotFound => (
                "本设备上没有这份问卷。",
                "本裝置上沒有這份問卷。",
                "This survey is not available on this device.",
            ),
            Msg::StorageUnavailable => (
                "此浏览器不允许在本设备上保存数据。您仍可作答，但离开页面后草稿不会保留。",
                "此瀏覽器不允許在本裝置上儲存資料。您仍可填答，但離開頁面後草稿不會保留。",
                "This browser does not let us save on this device. You can still answer, but your draft will not be kept if you leave the page.",
            ),
            Msg::StorageFull => (
                "本设备的存储空间已满，无法保存您的答案。您仍可继续作答。",
                "本裝置的儲存空間已滿，無法儲存您的答案。您仍可繼續填答。",
                "This device's storage is full, so your answers cannot be saved. You can still carry on.",
            ),
            Msg::StorageFailed => (
                "保存到本设备时出错。您仍可继续作答。",
                "儲存到本裝置時發生錯誤。您仍可繼續填答。",
                "Saving on this device failed. You can still carry on.",
            ),
            Msg::ResultsTitle => ("本设备上的结果", "本裝置上的結果", "Results on this device"),
            Msg::ResultsEmpty => (
                "本设备上还没有保存任何回答。",
                "本裝置上尚未儲存任何回覆。",
                "No responses are stored on this device yet.",
            ),
            Msg::Responses => ("回答数", "回覆數", "Responses"),
            Msg::Nps => ("净推荐值（NPS）", "淨推薦值（NPS）", "Net Promoter Score"),
            Msg::Csat => (
                "满意度（前两档占比）",
                "滿意度（前兩級占比）",
                "CSAT (top-2 box)",
            ),
            Msg::Ces => (
                "费力度（CES 均值）",
                "費力度（CES 平均）",
                "Customer effort (CES mean)",
            ),
            Msg::Composite => ("综合指数", "綜合指數", "Composite index"),
            Msg::Dimensions => ("维度", "構面", "Dimensions"),
            Msg::Dimension => ("维度", "構面", "Dimension"),
            Msg::Score => ("得分", "分數", "Score"),
            Msg::Alpha => ("信度 α", "信度 α", "Cronbach's α"),
            Msg::Questions => ("题目", "題目", "Questions"),
            Msg::Question => ("题目", "題目", "Question"),
            Msg::Count => ("有效回答", "有效回覆", "n"),
            Msg::Mean => ("均值", "平均", "Mean"),
            Msg::NpsLow => ("完全不可能", "完全不可能", "Not at all likely"),
            Msg::NpsHigh => ("非常可能", "非常可能", "Extremely likely"),
        };
        match lang {
            Lang::ZhCn => zh_cn,
            Lang::ZhTw => zh_tw,
            Lang::En => en,
        }
    }
}

/// A fixed string of the staff dashboard. Kept apart from [`Msg`] so the respondent's bundle,
/// which never shows them, does not carry them: a bundle holds the texts of the enums it uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdminMsg {
    AdminTitle,
    SignInHeading,
    TokenLabel,
    TokenHelp,
    SignIn,
    SignInWrong,
    SignInNoServer,
    LocalOnly,
    LocalOnlyHelp,
    OpenLocalOnly,
    SignOut,
    LocalBadge,
    ServerBadge,
    SurveysHeading,
    NoSurveys,
    NewSurvey,
    Manage,
    Survey,
    SurveyId,
    Version,
    BackToSurveys,
    FiltersLabel,
    PeriodFrom,
    PeriodTo,
    TrendBy,
    Day,
    Week,
    Month,
    SegmentBy,
    NoSegment,
    Apply,
    ClearFilter,
    CompositeIndex,
    Significant,
    NotSignificant,
    NoComparison,
    LoyaltyNote,
    NpsDistribution,
    Detractors,
    Passives,
    Promoters,
    TableView,
    Answer,
    Category,
    PeriodLabel,
    Interval,
    AlphaStd,
    Reliability,
    AlphaLow,
    AlphaHelp,
    Items,
    Item,
    ItemTotal,
    AlphaIfDeleted,
    Reversed,
    Segments,
    SegmentsHelp,
    NotSet,
    Filter,
    Targets,
    NoTargets,
    Metric,
    TargetValue,
    Deadline,
    Current,
    Progress,
    Remove,
    AddTarget,
    TargetIncomplete,
    TargetMet,
    TargetMissed,
    TargetOpen,
    Export,
    ExportHelp,
    DefinitionFormat,
    DefinitionFile,
    DefinitionText,
    Publish,
    SaveOnDevice,
    PublishHelp,
    PublishLocalHelp,
    PublishInvalid,
    ImportReports,
    OpenOverview,
    Origins,
    OriginsLabel,
    OriginsHelp,
    SaveOrigins,
    Share,
    EmbedSnippet,
    KioskLink,
    OpenKiosk,
    KioskLockTitle,
    KioskLockIntro,
    KioskLockUnlock,
    BackToKiosk,
    Copy,
    Copied,
    OpenTexts,
    SearchTexts,
    Search,
    RoleAdmin,
    RoleEditor,
    RoleAnalyst,
    RoleCaseHandler,
    NoReports,
    NoAnswers,
    NoPublish,
    ReadOnly,
    AuditLog,
    AuditHelp,
    NoAudit,
    AuditEmpty,
    AuditTime,
    AuditActor,
    AuditAction,
    AuditDetail,
    AuditOlder,
    AuditNewest,
    AuditPublish,
    AuditSetOrigins,
    AuditSetTargets,
    AuditExport,
    AuditDeleteResponse,
    AuditCreateToken,
    AuditRevokeToken,
    AuditSetAlertRules,
    AuditAddWebhook,
    AuditRemoveWebhook,
    AuditRedeliver,
    CasesLink,
    WebhooksLink,
    CasesHelp,
    NoCases,
    NoCasesRole,
    CaseFilters,
    Status,
    AnyStatus,
    NotEnded,
    StatusOpen,
    StatusInProgress,
    StatusResolved,
    StatusClosed,
    Owner,
    UnassignedOnly,
    Unassigned,
    Location,
    AnySurvey,
    OverdueOnly,
    Severity,
    SeverityLow,
    SeverityMedium,
    SeverityHigh,
    SeverityCritical,
    Opened,
    Due,
    Overdue,
    CaseRules,
    CaseList,
    MoreCases,
    LoopFigures,
    LoopHelp,
    ComplaintRate,
    CasesOpened,
    FirstAction,
    ResolutionTime,
    WithinSla,
    ClosedLoop,
    Backlog,
    NoBacklog,
    OpenCases,
    BackToCases,
    CaseSummary,
    FirstActionAt,
    EndedAt,
    Resolution,
    Contacted,
    ContactedFact,
    NotContacted,
    ContactHeading,
    NoContact,
    Phone,
    Email,
    ResponseHeading,
    ResponseGone,
    Meta,
    Key,
    Value,
    ScoresHeading,
    Timeline,
    When,
    What,
    AddNote,
    NoteLabel,
    ContactedLabel,
    SaveNote,
    AssignHeading,
    AssignHelp,
    AssignButton,
    ChangeStatus,
    NewStatus,
    ResolutionHelp,
    NoHandle,
    CaseSaved,
    AlertRules,
    AlertRulesHelp,
    NoAlertRules,
    RuleId,
    RuleName,
    RuleWhen,
    OwnerFrom,
    OwnerFixed,
    OwnerMeta,
    OwnerValue,
    ServiceHours,
    AddRule,
    RemoveRule,
    SaveRules,
    RulesInvalid,
    Webhooks,
    WebhooksHelp,
    NoWebhooks,
    NoWebhooksRole,
    EndpointUrl,
    EndpointUrlHelp,
    Events,
    EventResponseCreated,
    EventCaseOpened,
    EventCaseUpdated,
    EndpointSurvey,
    AddEndpoint,
    NewEndpoint,
    Secret,
    SecretOnce,
    Registered,
    ConfirmRemove,
    Cancel,
    Deliveries,
    NoDeliveries,
    Attempts,
    LastError,
    NextAttempt,
    DeliveryPending,
    DeliveryDelivered,
    DeliveryFailed,
    Redeliver,
    OlderDeliveries,
}

impl AdminMsg {
    /// The text of this string in `lang`.
    pub fn text(self, lang: Lang) -> &'static str {
        let (zh_cn, zh_tw, en) = match self {
            AdminMsg::AdminTitle => (
                "满意 manyi 管理后台",
                "滿意 manyi 管理後台",
                "manyi dashboard",
            ),
            AdminMsg::SignInHeading => ("工作人员登录", "工作人員登入", "Staff sign-in"),
            AdminMsg::TokenLabel => ("工作人员令牌", "工作人員權杖", "Staff token"),
            AdminMsg::TokenHelp => (
                "由管理员用 manyi token create --role 角色 生成（admin、editor、analyst 或 case_handler）；令牌的角色决定这里提供哪些功能。令牌只保存到关闭浏览器为止。",
                "由管理員以 manyi token create --role 角色 產生（admin、editor、analyst 或 case_handler）；權杖的角色決定這裡提供哪些功能。權杖只保存到關閉瀏覽器為止。",
                "Made by an administrator with manyi token create --role ROLE (admin, editor, analyst or case_handler); the token's role decides what the dashboard offers. It is kept only until the browser is closed.",
            ),
            AdminMsg::SignIn => ("登录", "登入", "Sign in"),
            AdminMsg::SignInWrong => (
                "服务器拒绝了这个令牌：令牌不正确或已被吊销。",
                "伺服器拒絕了這個權杖：權杖不正確或已被撤銷。",
                "The server refused this token: it is wrong or has been revoked.",
            ),
            AdminMsg::SignInNoServer => (
                "找不到服务器。可以改用仅本机模式。",
                "找不到伺服器。可以改用僅本機模式。",
                "No server was found. You can use local-only mode instead.",
            ),
            AdminMsg::LocalOnly => ("仅本机模式", "僅本機模式", "Local-only mode"),
            AdminMsg::LocalOnlyHelp => (
                "不需要服务器和令牌：在浏览器中统计本设备上保存的回答，结果与服务器对同样数据的统计相同。",
                "不需要伺服器和權杖：在瀏覽器中統計本裝置上儲存的回覆，結果與伺服器對同樣資料的統計相同。",
                "No server or token needed: the responses stored on this device are reported on in the browser, with the same numbers a server gives for the same data.",
            ),
            AdminMsg::OpenLocalOnly => ("打开仅本机模式", "開啟僅本機模式", "Open local-only mode"),
            AdminMsg::SignOut => ("退出", "登出", "Sign out"),
            AdminMsg::LocalBadge => (
                "仅本机：本设备上的回答",
                "僅本機：本裝置上的回覆",
                "Local-only: responses on this device",
            ),
            AdminMsg::ServerBadge => ("已登录服务器", "已登入伺服器", "Signed in to the server"),
            AdminMsg::SurveysHeading => ("问卷", "問卷", "Surveys"),
            AdminMsg::NoSurveys => (
                "还没有可统计的问卷。",
                "尚無可統計的問卷。",
                "There are no surveys to report on yet.",
            ),
            AdminMsg::NewSurvey => ("新建或导入问卷", "新增或匯入問卷", "New or imported survey"),
            AdminMsg::Manage => ("管理", "管理", "Manage"),
            AdminMsg::Survey => ("问卷", "問卷", "Survey"),
            AdminMsg::SurveyId => ("编号", "編號", "Id"),
            AdminMsg::Version => ("版本", "版本", "Version"),
            AdminMsg::BackToSurveys => ("全部问卷", "全部問卷", "All surveys"),
            AdminMsg::FiltersLabel => ("筛选", "篩選", "Filters"),
            AdminMsg::PeriodFrom => ("开始日期", "開始日期", "From"),
            AdminMsg::PeriodTo => ("结束日期（含）", "結束日期（含）", "To (included)"),
            AdminMsg::TrendBy => ("趋势按", "趨勢依", "Trend by"),
            AdminMsg::Day => ("日", "日", "Day"),
            AdminMsg::Week => ("周", "週", "Week"),
            AdminMsg::Month => ("月", "月", "Month"),
            AdminMsg::SegmentBy => ("按此比较分组", "依此比較分組", "Compare segments by"),
            AdminMsg::NoSegment => ("（不分组）", "（不分組）", "(none)"),
            AdminMsg::Apply => ("应用", "套用", "Apply"),
            AdminMsg::ClearFilter => ("显示全部", "顯示全部", "Show all"),
            AdminMsg::CompositeIndex => (
                "关系质量指数（0–100）",
                "關係品質指數（0–100）",
                "Relationship-quality index (0–100)",
            ),
            AdminMsg::Significant => ("显著", "顯著", "significant"),
            AdminMsg::NotSignificant => ("不显著", "不顯著", "not significant"),
            AdminMsg::NoComparison => (
                "选择起止日期，即可与之前同样长的时段比较。",
                "選擇起訖日期，即可與之前同樣長的時段比較。",
                "Choose a period to compare it with the one of equal length before it.",
            ),
            AdminMsg::LoyaltyNote => (
                "满意不等于忠诚：在竞争激烈的市场中，只有“非常满意”（最高一档）的客户才可靠地保持忠诚（Jones 与 Sasser，1995）。请关注最高一档的比例，而不仅是前两档。",
                "滿意不等於忠誠：在競爭激烈的市場中，只有「非常滿意」（最高一級）的客戶才可靠地保持忠誠（Jones 與 Sasser，1995）。請關注最高一級的比例，而不只是前兩級。",
                "Satisfied is not loyal: in competitive markets only completely satisfied (top-box) customers are reliably loyal (Jones & Sasser 1995). Watch the top-box share, not only the top two.",
            ),
            AdminMsg::NpsDistribution => (
                "推荐意愿 0–10 分布",
                "推薦意願 0–10 分布",
                "Likelihood to recommend, 0–10",
            ),
            AdminMsg::Detractors => ("贬损者（0–6）", "批評者（0–6）", "Detractors (0–6)"),
            AdminMsg::Passives => ("被动者（7–8）", "被動者（7–8）", "Passives (7–8)"),
            AdminMsg::Promoters => ("推荐者（9–10）", "推薦者（9–10）", "Promoters (9–10)"),
            AdminMsg::TableView => ("以表格显示", "以表格顯示", "Show as a table"),
            AdminMsg::Answer => ("答案", "答案", "Answer"),
            AdminMsg::Category => ("类别", "類別", "Category"),
            AdminMsg::PeriodLabel => ("时段", "時段", "Period"),
            AdminMsg::Interval => ("95% 置信区间", "95% 信賴區間", "95% interval"),
            AdminMsg::AlphaStd => ("标准化 α", "標準化 α", "Standardised α"),
            AdminMsg::Reliability => ("信度", "信度", "Reliability"),
            AdminMsg::AlphaLow => (
                "α 低于 0.7：这些题目可能并未测量同一件事",
                "α 低於 0.7：這些題目可能並未測量同一件事",
                "α below 0.7: these items may not measure one thing",
            ),
            AdminMsg::AlphaHelp => (
                "Cronbach's α 衡量同一维度各题目的一致性；低于 0.7 时，该维度得分不宜作为单一指标解读。",
                "Cronbach's α 衡量同一構面各題目的一致性；低於 0.7 時，該構面分數不宜作為單一指標解讀。",
                "Cronbach's α measures how consistently a dimension's items agree; below 0.7 its score should not be read as one measure.",
            ),
            AdminMsg::Items => ("题目信度", "題目信度", "Item reliability"),
            AdminMsg::Item => ("题目", "題目", "Item"),
            AdminMsg::ItemTotal => ("校正题总相关", "校正題總相關", "Corrected item–total r"),
            AdminMsg::AlphaIfDeleted => ("删除该题后的 α", "刪除該題後的 α", "α if deleted"),
            AdminMsg::Reversed => ("反向题", "反向題", "reversed"),
            AdminMsg::Segments => ("分组比较", "分組比較", "Segments"),
            AdminMsg::SegmentsHelp => (
                "在上方选择一个元数据键（如渠道、网点、柜台），即可按其取值比较各项指标。",
                "在上方選擇一個中繼資料鍵（如通路、據點、櫃檯），即可依其值比較各項指標。",
                "Choose a metadata key above (channel, branch, counter) to compare the figures by its values.",
            ),
            AdminMsg::NotSet => ("（未填写）", "（未填寫）", "(not set)"),
            AdminMsg::Filter => ("筛选", "篩選", "Filter"),
            AdminMsg::Targets => ("目标", "目標", "Targets"),
            AdminMsg::NoTargets => ("尚未设定目标。", "尚未設定目標。", "No targets are set."),
            AdminMsg::Metric => ("指标", "指標", "Metric"),
            AdminMsg::TargetValue => ("目标值", "目標值", "Target"),
            AdminMsg::Deadline => ("期限", "期限", "Deadline"),
            AdminMsg::Current => ("当前", "目前", "Current"),
            AdminMsg::Progress => ("进度", "進度", "Progress"),
            AdminMsg::Remove => ("删除", "刪除", "Remove"),
            AdminMsg::AddTarget => ("添加目标", "新增目標", "Add target"),
            AdminMsg::TargetIncomplete => (
                "请填写目标值和期限。",
                "請填寫目標值和期限。",
                "Fill in the target value and the deadline.",
            ),
            AdminMsg::TargetMet => ("已达成", "已達成", "met"),
            AdminMsg::TargetMissed => (
                "未达成，已过期限",
                "未達成，已過期限",
                "missed, deadline passed",
            ),
            AdminMsg::TargetOpen => ("进行中", "進行中", "in progress"),
            AdminMsg::Export => ("导出", "匯出", "Export"),
            AdminMsg::ExportHelp => (
                "下载本问卷保存的全部回答。",
                "下載本問卷儲存的全部回覆。",
                "Download every stored response of this survey.",
            ),
            AdminMsg::DefinitionFormat => ("定义格式", "定義格式", "Definition format"),
            AdminMsg::DefinitionFile => ("从文件载入", "從檔案載入", "Load from a file"),
            AdminMsg::DefinitionText => {
                ("问卷定义（JSON）", "問卷定義（JSON）", "Definition (JSON)")
            }
            AdminMsg::Publish => ("发布新版本", "發布新版本", "Publish as a new version"),
            AdminMsg::SaveOnDevice => ("保存到本设备", "儲存到本裝置", "Keep on this device"),
            AdminMsg::PublishHelp => (
                "上传或编辑定义后发布；编辑已有问卷时，版本号已自动加一。SurveyJS 定义会先导入，未能原样导入的部分会列出。",
                "上傳或編輯定義後發布；編輯既有問卷時，版本號已自動加一。SurveyJS 定義會先匯入，未能原樣匯入的部分會列出。",
                "Upload or edit a definition and publish it; when editing a survey the version is already raised by one. A SurveyJS definition is imported first, and what could not be imported as it was is listed.",
            ),
            AdminMsg::PublishLocalHelp => (
                "仅本机模式：定义经同样的检查后保存在本设备上。SurveyJS 定义在浏览器中导入。",
                "僅本機模式：定義經同樣的檢查後儲存在本裝置上。SurveyJS 定義在瀏覽器中匯入。",
                "Local-only mode: the definition is checked the same way and kept on this device. A SurveyJS definition is imported in the browser.",
            ),
            AdminMsg::PublishInvalid => (
                "无法发布，请修正以下问题：",
                "無法發布，請修正下列問題：",
                "Not published. Fix these problems:",
            ),
            AdminMsg::ImportReports => (
                "以下部分未能原样导入：",
                "下列部分未能原樣匯入：",
                "Not imported as it was:",
            ),
            AdminMsg::OpenOverview => ("查看结果", "查看結果", "See the results"),
            AdminMsg::Origins => (
                "允许嵌入的网站",
                "允許嵌入的網站",
                "Allowed embedding origins",
            ),
            AdminMsg::OriginsLabel => (
                "来源（每行一个）",
                "來源（每行一個）",
                "Origins (one per line)",
            ),
            AdminMsg::OriginsHelp => (
                "写成 https://host 或 http://host:port，不含路径。",
                "寫成 https://host 或 http://host:port，不含路徑。",
                "Write each as https://host or http://host:port, without a path.",
            ),
            AdminMsg::SaveOrigins => ("保存来源", "儲存來源", "Save origins"),
            AdminMsg::Share => ("嵌入与自助终端", "嵌入與自助終端", "Embed and kiosk"),
            AdminMsg::EmbedSnippet => ("嵌入代码", "嵌入程式碼", "Embed snippet"),
            AdminMsg::KioskLink => ("自助终端链接", "自助終端連結", "Kiosk link"),
            AdminMsg::OpenKiosk => ("打开自助终端", "開啟自助終端", "Open the kiosk"),
            AdminMsg::KioskLockTitle => (
                "本设备是自助终端",
                "本裝置是自助終端",
                "This device is a kiosk",
            ),
            AdminMsg::KioskLockIntro => (
                "本设备上的问卷和回答仅供工作人员查看。请输入自助终端的工作人员 PIN 码。",
                "本裝置上的問卷和回覆僅供工作人員檢視。請輸入自助終端的工作人員 PIN 碼。",
                "The surveys and responses on this device are for staff only. Enter the kiosk's staff PIN.",
            ),
            AdminMsg::KioskLockUnlock => ("解锁", "解鎖", "Unlock"),
            AdminMsg::BackToKiosk => ("返回自助终端", "返回自助終端", "Back to the kiosk"),
            AdminMsg::Copy => ("复制", "複製", "Copy"),
            AdminMsg::Copied => ("已复制。", "已複製。", "Copied."),
            AdminMsg::OpenTexts => ("开放式回答", "開放式回覆", "Open-text answers"),
            AdminMsg::SearchTexts => ("搜索回答内容", "搜尋回覆內容", "Search the answers"),
            AdminMsg::Search => ("搜索", "搜尋", "Search"),
            AdminMsg::RoleAdmin => ("管理员", "管理員", "administrator"),
            AdminMsg::RoleEditor => ("编辑", "編輯", "editor"),
            AdminMsg::RoleAnalyst => ("分析员", "分析師", "analyst"),
            AdminMsg::RoleCaseHandler => ("个案处理员", "個案處理員", "case handler"),
            AdminMsg::NoReports => (
                "此令牌的角色不包括查看报告。",
                "此權杖的角色不包括檢視報告。",
                "This token's role does not include reading reports.",
            ),
            AdminMsg::NoAnswers => (
                "此令牌的角色不包括开放式回答和导出回答。",
                "此權杖的角色不包括開放式回覆和匯出回覆。",
                "This token's role does not include open-text answers or exports.",
            ),
            AdminMsg::NoPublish => (
                "此令牌的角色不包括发布问卷。",
                "此權杖的角色不包括發布問卷。",
                "This token's role does not include publishing surveys.",
            ),
            AdminMsg::ReadOnly => (
                "只读：此令牌的角色不包括更改这项设置。",
                "唯讀：此權杖的角色不包括變更這項設定。",
                "Read-only: this token's role does not include changing this.",
            ),
            AdminMsg::AuditLog => ("审计日志", "稽核日誌", "Audit log"),
            AdminMsg::AuditHelp => (
                "工作人员做过的更改和导出，最新的在前。",
                "工作人員做過的變更和匯出，最新的在前。",
                "What staff changed or exported, newest first.",
            ),
            AdminMsg::NoAudit => (
                "此令牌的角色不包括查看审计日志；审计日志只保存在服务器上。",
                "此權杖的角色不包括檢視稽核日誌；稽核日誌只保存在伺服器上。",
                "This token's role does not include the audit log, which only a server keeps.",
            ),
            AdminMsg::AuditEmpty => ("没有记录。", "沒有紀錄。", "No entries."),
            AdminMsg::AuditTime => ("时间", "時間", "Time"),
            AdminMsg::AuditActor => ("操作者", "操作者", "Who"),
            AdminMsg::AuditAction => ("操作", "操作", "Action"),
            AdminMsg::AuditDetail => ("详情", "詳情", "Detail"),
            AdminMsg::AuditOlder => ("更早的记录", "更早的紀錄", "Older entries"),
            AdminMsg::AuditNewest => ("最新的记录", "最新的紀錄", "Newest entries"),
            AdminMsg::AuditPublish => ("发布定义", "發布定義", "published a definition"),
            AdminMsg::AuditSetOrigins => {
                ("设置嵌入来源", "設定嵌入來源", "set the embedding origins")
            }
            AdminMsg::AuditSetTargets => ("设置目标", "設定目標", "set the targets"),
            AdminMsg::AuditExport => ("导出回答", "匯出回覆", "exported responses"),
            AdminMsg::AuditDeleteResponse => ("删除回答", "刪除回覆", "deleted a response"),
            AdminMsg::AuditCreateToken => ("创建令牌", "建立權杖", "created a token"),
            AdminMsg::AuditRevokeToken => ("吊销令牌", "撤銷權杖", "revoked a token"),
            AdminMsg::AuditSetAlertRules => ("设置预警规则", "設定預警規則", "set alert rules"),
            AdminMsg::AuditAddWebhook => ("添加 Webhook", "新增 Webhook", "added a webhook"),
            AdminMsg::AuditRemoveWebhook => ("移除 Webhook", "移除 Webhook", "removed a webhook"),
            AdminMsg::AuditRedeliver => ("重新投递", "重新傳送", "redelivered a webhook message"),
            AdminMsg::CasesLink => ("跟进个案", "跟進個案", "Follow-up cases"),
            AdminMsg::WebhooksLink => ("Webhook", "Webhook", "Webhooks"),
            AdminMsg::CasesHelp => (
                "回答触发预警规则时开启的个案，最紧急（最早到期）的在前。",
                "回覆觸發預警規則時開啟的個案，最緊急（最早到期）的在前。",
                "Cases opened when a response fires an alert rule, most urgent (soonest due) first.",
            ),
            AdminMsg::NoCases => (
                "没有符合条件的个案。",
                "沒有符合條件的個案。",
                "No cases match these filters.",
            ),
            AdminMsg::NoCasesRole => (
                "此令牌的角色不包括跟进个案；个案只保存在服务器上。",
                "此權杖的角色不包括跟進個案；個案只保存在伺服器上。",
                "This token's role does not include follow-up cases, which only a server keeps.",
            ),
            AdminMsg::CaseFilters => ("个案筛选", "個案篩選", "Case filters"),
            AdminMsg::Status => ("状态", "狀態", "Status"),
            AdminMsg::AnyStatus => ("全部状态", "全部狀態", "Any status"),
            AdminMsg::NotEnded => (
                "未结案（待处理或处理中）",
                "未結案（待處理或處理中）",
                "Not ended (open or in progress)",
            ),
            AdminMsg::StatusOpen => ("待处理", "待處理", "Open"),
            AdminMsg::StatusInProgress => ("处理中", "處理中", "In progress"),
            AdminMsg::StatusResolved => ("已解决", "已解決", "Resolved"),
            AdminMsg::StatusClosed => ("已关闭", "已關閉", "Closed"),
            AdminMsg::Owner => ("负责人", "負責人", "Owner"),
            AdminMsg::UnassignedOnly => ("只看未分派的", "只看未指派的", "Unassigned only"),
            AdminMsg::Unassigned => ("未分派", "未指派", "Unassigned"),
            AdminMsg::Location => ("网点", "據點", "Location"),
            AdminMsg::AnySurvey => ("全部问卷", "全部問卷", "Every survey"),
            AdminMsg::OverdueOnly => ("只看已逾期的", "只看已逾期的", "Overdue only"),
            AdminMsg::Severity => ("紧急程度", "緊急程度", "Severity"),
            AdminMsg::SeverityLow => ("低", "低", "Low"),
            AdminMsg::SeverityMedium => ("中", "中", "Medium"),
            AdminMsg::SeverityHigh => ("高", "高", "High"),
            AdminMsg::SeverityCritical => ("紧急", "緊急", "Critical"),
            AdminMsg::Opened => ("开启时间", "開啟時間", "Opened"),
            AdminMsg::Due => ("到期时间", "到期時間", "Due"),
            AdminMsg::Overdue => ("已逾期", "已逾期", "Overdue"),
            AdminMsg::CaseList => ("个案列表", "個案列表", "Cases"),
            AdminMsg::CaseRules => ("触发的规则", "觸發的規則", "Rules fired"),
            AdminMsg::MoreCases => ("显示更多个案", "顯示更多個案", "Show more cases"),
            AdminMsg::LoopFigures => ("闭环指标", "閉環指標", "Closing the loop"),
            AdminMsg::LoopHelp => (
                "所选时段内开启的个案，按其目前状态计算；各负责人的未结案和逾期个案是当前的积压，不限时段。",
                "所選時段內開啟的個案，依其目前狀態計算；各負責人的未結案和逾期個案是目前的積壓，不限時段。",
                "About the cases opened in the period, as they stand now; each owner's open and overdue cases are today's backlog, whatever the period.",
            ),
            AdminMsg::ComplaintRate => ("投诉率", "投訴率", "Complaint rate"),
            AdminMsg::CasesOpened => ("开启的个案", "開啟的個案", "Cases opened"),
            AdminMsg::FirstAction => (
                "首次处理用时（中位数）",
                "首次處理用時（中位數）",
                "Median time to first action",
            ),
            AdminMsg::ResolutionTime => (
                "解决用时（中位数）",
                "解決用時（中位數）",
                "Median time to resolution",
            ),
            AdminMsg::WithinSla => (
                "在服务时限内解决",
                "在服務時限內解決",
                "Resolved within the service level",
            ),
            AdminMsg::ClosedLoop => ("闭环率", "閉環率", "Closed-loop rate"),
            AdminMsg::Backlog => ("各负责人的积压", "各負責人的積壓", "Backlog by owner"),
            AdminMsg::NoBacklog => (
                "没有未结案的个案。",
                "沒有未結案的個案。",
                "No case is waiting.",
            ),
            AdminMsg::OpenCases => ("未结案", "未結案", "Not ended"),
            AdminMsg::BackToCases => ("全部个案", "全部個案", "All cases"),
            AdminMsg::CaseSummary => ("概况", "概況", "Summary"),
            AdminMsg::FirstActionAt => ("首次处理", "首次處理", "First action"),
            AdminMsg::EndedAt => ("结案时间", "結案時間", "Ended"),
            AdminMsg::Resolution => ("处理结果", "處理結果", "Resolution"),
            AdminMsg::ContactedFact => (
                "与客户的沟通",
                "與客戶的溝通",
                "Conversation with the customer",
            ),
            AdminMsg::Contacted => ("已联系客户", "已聯繫客戶", "Customer contacted"),
            AdminMsg::NotContacted => (
                "尚未记录与客户的联系",
                "尚未記錄與客戶的聯繫",
                "No conversation with the customer recorded yet",
            ),
            AdminMsg::ContactHeading => {
                ("客户的联系方式", "客戶的聯絡方式", "The customer's contact")
            }
            AdminMsg::NoContact => (
                "客户未同意被联系，因此个案不含联系方式；仍请处理问题的原因。",
                "客戶未同意被聯繫，因此個案不含聯絡方式；仍請處理問題的原因。",
                "The customer did not agree to be contacted, so the case carries no contact details; the cause can still be acted on.",
            ),
            AdminMsg::Phone => ("电话", "電話", "Phone"),
            AdminMsg::Email => ("电子邮件", "電子郵件", "Email"),
            AdminMsg::ResponseHeading => ("客户的回答", "客戶的回覆", "The customer's answers"),
            AdminMsg::ResponseGone => (
                "该回答已被删除；个案及其处理记录仍保留。",
                "該回覆已被刪除；個案及其處理紀錄仍保留。",
                "The response has been deleted since; the case and its timeline remain.",
            ),
            AdminMsg::Meta => ("元数据", "中繼資料", "Metadata"),
            AdminMsg::Key => ("键", "鍵", "Key"),
            AdminMsg::Value => ("值", "值", "Value"),
            AdminMsg::ScoresHeading => ("得分", "分數", "Scores"),
            AdminMsg::Timeline => ("处理记录", "處理紀錄", "Timeline"),
            AdminMsg::When => ("时间", "時間", "When"),
            AdminMsg::What => ("内容", "內容", "What"),
            AdminMsg::AddNote => ("添加备注", "新增備註", "Add a note"),
            AdminMsg::NoteLabel => ("备注", "備註", "Note"),
            AdminMsg::ContactedLabel => (
                "这条备注记录了与客户的沟通",
                "這則備註記錄了與客戶的溝通",
                "This note records a conversation with the customer",
            ),
            AdminMsg::SaveNote => ("保存备注", "儲存備註", "Save the note"),
            AdminMsg::AssignHeading => ("分派", "指派", "Assign"),
            AdminMsg::AssignHelp => (
                "留空则取消分派。",
                "留空則取消指派。",
                "Leave it empty to unassign the case.",
            ),
            AdminMsg::AssignButton => ("分派", "指派", "Assign"),
            AdminMsg::ChangeStatus => ("更改状态", "變更狀態", "Change the status"),
            AdminMsg::NewStatus => ("新状态", "新狀態", "New status"),
            AdminMsg::ResolutionHelp => (
                "结案（已解决或已关闭）时必填：说明是如何处理的。",
                "結案（已解決或已關閉）時必填：說明是如何處理的。",
                "Required to end the case (resolved or closed): say how it was dealt with.",
            ),
            AdminMsg::NoHandle => (
                "只读：此令牌的角色不包括处理个案。",
                "唯讀：此權杖的角色不包括處理個案。",
                "Read-only: this token's role does not include handling cases.",
            ),
            AdminMsg::CaseSaved => ("已保存。", "已儲存。", "Saved."),
            AdminMsg::AlertRules => ("预警规则", "預警規則", "Alert rules"),
            AdminMsg::AlertRulesHelp => (
                "回答符合条件时开启跟进个案。条件用问卷的条件语言书写，可读取答案、得分（nps、nps_category、csat、ces、composite 和各维度编号）及 meta.键，例如 nps <= 6。一个回答最多开启一个个案：取触发规则中最高的紧急程度和最短的时限，负责人取列表中第一条能确定负责人的规则。",
                "回覆符合條件時開啟跟進個案。條件以問卷的條件語言書寫，可讀取答案、分數（nps、nps_category、csat、ces、composite 和各構面編號）及 meta.鍵，例如 nps <= 6。一則回覆最多開啟一個個案：取觸發規則中最高的緊急程度和最短的時限，負責人取清單中第一條能確定負責人的規則。",
                "A response that meets a rule's condition opens a follow-up case. Conditions are written in the survey's condition language and read the answers, the scores (nps, nps_category, csat, ces, composite and each dimension's id) and meta.KEY, such as nps <= 6. A response opens one case at most: with the highest severity and the shortest service level of the rules it fires, owned by the first of those rules, in this order, that names an owner.",
            ),
            AdminMsg::NoAlertRules => (
                "尚未设定预警规则。",
                "尚未設定預警規則。",
                "No alert rules are set.",
            ),
            AdminMsg::RuleId => (
                "规则编号（a–z、0–9、_、-）",
                "規則編號（a–z、0–9、_、-）",
                "Rule id (a–z, 0–9, _, -)",
            ),
            AdminMsg::RuleName => ("名称", "名稱", "Name"),
            AdminMsg::RuleWhen => ("条件", "條件", "Condition"),
            AdminMsg::OwnerFrom => ("负责人", "負責人", "Owner"),
            AdminMsg::OwnerFixed => ("固定的负责人", "固定的負責人", "A fixed owner"),
            AdminMsg::OwnerMeta => (
                "回答元数据中的键",
                "回覆中繼資料中的鍵",
                "A key of the response's metadata",
            ),
            AdminMsg::OwnerValue => (
                "负责人名称或元数据键",
                "負責人名稱或中繼資料鍵",
                "Owner's name or metadata key",
            ),
            AdminMsg::ServiceHours => (
                "服务时限（小时）",
                "服務時限（小時）",
                "Service level (hours)",
            ),
            AdminMsg::AddRule => ("添加规则", "新增規則", "Add a rule"),
            AdminMsg::RemoveRule => ("删除此规则", "刪除此規則", "Remove this rule"),
            AdminMsg::SaveRules => ("保存规则", "儲存規則", "Save the rules"),
            AdminMsg::RulesInvalid => (
                "未保存，请修正各规则下列出的问题。",
                "未儲存，請修正各規則下列出的問題。",
                "Not saved. Fix the problems listed under each rule.",
            ),
            AdminMsg::Webhooks => ("Webhook 端点", "Webhook 端點", "Webhook endpoints"),
            AdminMsg::WebhooksHelp => (
                "有新回答、个案开启或更改时，服务器把签名的消息（Standard Webhooks 格式）发送到这些地址。",
                "有新回覆、個案開啟或變更時，伺服器把簽章的訊息（Standard Webhooks 格式）傳送到這些網址。",
                "The server posts signed messages (Standard Webhooks) to these addresses when a response arrives and when a case opens or changes.",
            ),
            AdminMsg::NoWebhooks => (
                "尚未登记任何端点。",
                "尚未登記任何端點。",
                "No endpoints are registered.",
            ),
            AdminMsg::NoWebhooksRole => (
                "此令牌的角色不包括管理 Webhook；只有管理员可以。",
                "此權杖的角色不包括管理 Webhook；只有管理員可以。",
                "This token's role does not include webhooks; only an administrator's does.",
            ),
            AdminMsg::EndpointUrl => ("地址（URL）", "網址（URL）", "URL"),
            AdminMsg::EndpointUrlHelp => (
                "https:// 地址；http:// 只用于本机（localhost）测试。",
                "https:// 網址；http:// 只用於本機（localhost）測試。",
                "An https:// address; http:// only to this machine (localhost), for trying it out.",
            ),
            AdminMsg::Events => ("事件", "事件", "Events"),
            AdminMsg::EventResponseCreated => {
                ("新回答已保存", "新回覆已儲存", "a response was stored")
            }
            AdminMsg::EventCaseOpened => (
                "回答开启了跟进个案",
                "回覆開啟了跟進個案",
                "a response opened a follow-up case",
            ),
            AdminMsg::EventCaseUpdated => (
                "工作人员更改了个案",
                "工作人員變更了個案",
                "staff changed a case",
            ),
            AdminMsg::EndpointSurvey => ("只限此问卷", "只限此問卷", "Only this survey"),
            AdminMsg::AddEndpoint => ("登记端点", "登記端點", "Add the endpoint"),
            AdminMsg::NewEndpoint => ("登记新端点", "登記新端點", "Add an endpoint"),
            AdminMsg::Secret => ("签名密钥", "簽章密鑰", "Signing secret"),
            AdminMsg::SecretOnce => (
                "签名密钥只显示这一次：请立即保存到接收端的配置中，之后无法再查看。",
                "簽章密鑰只顯示這一次：請立即儲存到接收端的設定中，之後無法再檢視。",
                "This signing secret is shown only this once: store it in the receiver's configuration now, as it cannot be shown again.",
            ),
            AdminMsg::Registered => ("登记时间", "登記時間", "Registered"),
            AdminMsg::ConfirmRemove => ("确定删除", "確定刪除", "Yes, remove it"),
            AdminMsg::Cancel => ("取消", "取消", "Cancel"),
            AdminMsg::Deliveries => ("最近的投递", "最近的傳送", "Recent deliveries"),
            AdminMsg::NoDeliveries => ("还没有投递。", "還沒有傳送。", "No deliveries yet."),
            AdminMsg::Attempts => ("尝试次数", "嘗試次數", "Attempts"),
            AdminMsg::LastError => ("最近的错误", "最近的錯誤", "Last error"),
            AdminMsg::NextAttempt => ("下次尝试", "下次嘗試", "Next attempt"),
            AdminMsg::DeliveryPending => ("待投递", "待傳送", "Pending"),
            AdminMsg::DeliveryDelivered => ("已送达", "已送達", "Delivered"),
            AdminMsg::DeliveryFailed => ("已放弃", "已放棄", "Failed"),
            AdminMsg::Redeliver => ("重新投递", "重新傳送", "Redeliver"),
            AdminMsg::OlderDeliveries => ("更早的投递", "更早的傳送", "Older deliveries"),
        };
        match lang {
            Lang::ZhCn => zh_cn,
            Lang::ZhTw => zh_tw,
            Lang::En => en,
        }
    }
}

/// A string of the interface that can be shown in any of the languages.
pub trait Translate: Copy + Send + Sync + 'static {
    fn text(self, lang: Lang) -> &'static str;
}

impl Translate for Msg {
    fn text(self, lang: Lang) -> &'static str {
        Msg::text(self, lang)
    }
}

impl Translate for AdminMsg {
    fn text(self, lang: Lang) -> &'static str {
        AdminMsg::text(self, lang)
    }
}

/// A string of either table, for a label that may come from both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AnyMsg {
    Core(Msg),
    Admin(AdminMsg),
}

impl Translate for AnyMsg {
    fn text(self, lang: Lang) -> &'static str {
        match self {
            AnyMsg::Core(msg) => msg.text(lang),
            AnyMsg::Admin(msg) => msg.text(lang),
        }
    }
}

impl From<Msg> for AnyMsg {
    fn from(msg: Msg) -> AnyMsg {
        AnyMsg::Core(msg)
    }
}

impl From<AdminMsg> for AnyMsg {
    fn from(msg: AdminMsg) -> AnyMsg {
        AnyMsg::Admin(msg)
    }
}

/// "Page 2 of 4".
pub fn page_of(lang: Lang, page: usize, pages: usize) -> String {
    match lang {
        Lang::ZhCn => format!("第 {page} 页，共 {pages} 页"),
        Lang::ZhTw => format!("第 {page} 頁，共 {pages} 頁"),
        Lang::En => format!("Page {page} of {pages}"),
    }
}

/// The message for a text answer over its limit.
pub fn too_long(lang: Lang, max: u32) -> String {
    match lang {
        Lang::ZhCn => format!("请把回答缩短到 {max} 个字以内。"),
        Lang::ZhTw => format!("請將回覆縮短至 {max} 個字以內。"),
        Lang::En => format!("Please shorten your answer to {max} characters or fewer."),
    }
}

/// The message for an answer that fails one of its question's validators (when the survey
/// gives none of its own).
pub fn check_failure(lang: Lang, failure: manyi_core::validate::CheckFailure) -> String {
    use manyi_core::validate::CheckFailure as F;
    let n = format::point;
    match (failure, lang) {
        (F::NotEmail, Lang::ZhCn) => "请输入有效的电子邮件地址。".into(),
        (F::NotEmail, Lang::ZhTw) => "請輸入有效的電子郵件地址。".into(),
        (F::NotEmail, Lang::En) => "Please enter a valid e-mail address.".into(),
        (F::NoMatch, Lang::ZhCn) => "答案的格式不正确。".into(),
        (F::NoMatch, Lang::ZhTw) => "答案的格式不正確。".into(),
        (F::NoMatch, Lang::En) => "This answer is not in the expected format.".into(),
        (F::NotNumeric, Lang::ZhCn) => "请输入数字。".into(),
        (F::NotNumeric, Lang::ZhTw) => "請輸入數字。".into(),
        (F::NotNumeric, Lang::En) => "Please enter a number.".into(),
        (F::OutOfBounds { min, max }, lang) => match (min, max, lang) {
            (Some(a), Some(b), Lang::ZhCn) => format!("请输入 {} 到 {} 之间的数字。", n(a), n(b)),
            (Some(a), Some(b), Lang::ZhTw) => format!("請輸入 {} 到 {} 之間的數字。", n(a), n(b)),
            (Some(a), Some(b), Lang::En) => {
                format!("Please enter a number from {} to {}.", n(a), n(b))
            }
            (Some(a), None, Lang::ZhCn) => format!("请输入不小于 {} 的数字。", n(a)),
            (Some(a), None, Lang::ZhTw) => format!("請輸入不小於 {} 的數字。", n(a)),
            (Some(a), None, Lang::En) => format!("Please enter a number of at least {}.", n(a)),
            (_, Some(b), Lang::ZhCn) => format!("请输入不大于 {} 的数字。", n(b)),
            (_, Some(b), Lang::ZhTw) => format!("請輸入不大於 {} 的數字。", n(b)),
            (_, Some(b), Lang::En) => format!("Please enter a number of at most {}.", n(b)),
            (None, None, _) => Msg::InvalidAnswer.text(lang).to_owned(),
        },
        (F::TooFewChoices { min }, Lang::ZhCn) => format!("请至少选择 {min} 项。"),
        (F::TooFewChoices { min }, Lang::ZhTw) => format!("請至少選擇 {min} 項。"),
        (F::TooFewChoices { min: 1 }, Lang::En) => "Please choose at least one option.".into(),
        (F::TooFewChoices { min }, Lang::En) => format!("Please choose at least {min} options."),
        (F::TooManyChoices { max }, Lang::ZhCn) => format!("最多只能选择 {max} 项。"),
        (F::TooManyChoices { max }, Lang::ZhTw) => format!("最多只能選擇 {max} 項。"),
        (F::TooManyChoices { max: 1 }, Lang::En) => "Please choose only one option.".into(),
        (F::TooManyChoices { max }, Lang::En) => {
            format!("Please choose no more than {max} options.")
        }
        (F::Length { min, max }, lang) => match (min, max, lang) {
            (Some(a), Some(b), Lang::ZhCn) => format!("请输入 {a} 到 {b} 个字。"),
            (Some(a), Some(b), Lang::ZhTw) => format!("請輸入 {a} 到 {b} 個字。"),
            (Some(a), Some(b), Lang::En) => format!("Please enter {a} to {b} characters."),
            (Some(a), None, Lang::ZhCn) => format!("请至少输入 {a} 个字。"),
            (Some(a), None, Lang::ZhTw) => format!("請至少輸入 {a} 個字。"),
            (Some(a), None, Lang::En) => format!("Please enter at least {a} characters."),
            (_, Some(b), _) => too_long(lang, b),
            (None, None, _) => Msg::InvalidAnswer.text(lang).to_owned(),
        },
        (F::EndsInDigit, Lang::ZhCn) => "答案不能以数字结尾。".into(),
        (F::EndsInDigit, Lang::ZhTw) => "答案不能以數字結尾。".into(),
        (F::EndsInDigit, Lang::En) => "The answer may not end in a digit.".into(),
    }
}

/// The message for a contact answer the core's check refuses: what is missing or mistyped.
pub fn contact_problem(lang: Lang, problem: manyi_core::validate::ContactProblem) -> String {
    use manyi_core::model::ContactMethod as M;
    use manyi_core::validate::{CheckFailure, ContactProblem as P};
    let text = match (problem, lang) {
        (P::NoMethod, Lang::ZhCn) => "请选择联系方式。",
        (P::NoMethod, Lang::ZhTw) => "請選擇聯絡方式。",
        (P::NoMethod, Lang::En) => "Please choose how we may contact you.",
        (P::NoValue { method: M::Phone }, Lang::ZhCn) => "请输入您的电话号码。",
        (P::NoValue { method: M::Phone }, Lang::ZhTw) => "請輸入您的電話號碼。",
        (P::NoValue { method: M::Phone }, Lang::En) => "Please enter your phone number.",
        (P::NoValue { method: M::Email }, Lang::ZhCn) => "请输入您的电子邮件地址。",
        (P::NoValue { method: M::Email }, Lang::ZhTw) => "請輸入您的電子郵件地址。",
        (P::NoValue { method: M::Email }, Lang::En) => "Please enter your e-mail address.",
        (P::NotPhone, Lang::ZhCn) => "请输入 6 到 20 位数字的电话号码，例如 138 1234 5678。",
        (P::NotPhone, Lang::ZhTw) => "請輸入 6 到 20 位數字的電話號碼，例如 +886 912 345 678。",
        (P::NotPhone, Lang::En) => {
            "Please enter a phone number of 6 to 20 digits, for example +86 138 1234 5678."
        }
        (P::NotEmail, _) => return check_failure(lang, CheckFailure::NotEmail),
        // The runner never sends details without consent nor a method it does not offer.
        (P::DetailsWithoutConsent | P::MethodNotOffered { .. }, _) => Msg::InvalidAnswer.text(lang),
    };
    text.to_owned()
}

/// The live character counter of a text answer.
pub fn char_count(lang: Lang, count: usize, max: u32) -> String {
    match lang {
        Lang::ZhCn => format!("已输入 {count} / {max} 字"),
        Lang::ZhTw => format!("已輸入 {count} / {max} 字"),
        Lang::En => format!("{count} / {max} characters"),
    }
}

/// Confirmation after a definition was imported.
pub fn imported(lang: Lang, title: &str) -> String {
    match lang {
        Lang::ZhCn => format!("已导入“{title}”。"),
        Lang::ZhTw => format!("已匯入「{title}」。"),
        Lang::En => format!("Imported “{title}”."),
    }
}

/// The message shown when saved data could not be read and was set aside under `key`.
pub fn corrupt(lang: Lang, key: &str) -> String {
    match lang {
        Lang::ZhCn => format!(
            "本设备上保存的部分数据已损坏，无法读取。原数据已另存为 {key}，应用会继续正常工作。"
        ),
        Lang::ZhTw => format!(
            "本裝置上儲存的部分資料已損毀，無法讀取。原資料已另存為 {key}，應用程式會繼續正常運作。"
        ),
        Lang::En => format!(
            "Some data saved on this device was damaged and could not be read. It was set aside as {key}, and the app carries on normally."
        ),
    }
}

/// How many stored entries the results page had to leave out.
pub fn skipped_entries(lang: Lang, count: usize) -> String {
    match lang {
        Lang::ZhCn => format!("有 {count} 条保存的记录无法读取，未计入结果。"),
        Lang::ZhTw => format!("有 {count} 筆儲存的紀錄無法讀取，未計入結果。"),
        Lang::En => format!("{count} stored entries could not be read and were left out."),
    }
}

/// How sending stands: responses waiting, or all sent.
pub fn sync_pending(lang: Lang, pending: usize) -> String {
    match (lang, pending) {
        (Lang::ZhCn, 0) => "所有回答都已发送。".to_owned(),
        (Lang::ZhTw, 0) => "所有回覆都已傳送。".to_owned(),
        (Lang::En, 0) => "All responses have been sent.".to_owned(),
        (Lang::ZhCn, n) => format!("{n} 份回答等待发送。"),
        (Lang::ZhTw, n) => format!("{n} 份回覆等待傳送。"),
        (Lang::En, 1) => "1 response waiting to be sent.".to_owned(),
        (Lang::En, n) => format!("{n} responses waiting to be sent."),
    }
}

/// Responses the server refused, which stay on the device.
pub fn sync_refused(lang: Lang, refused: usize) -> String {
    match (lang, refused) {
        (Lang::ZhCn, n) => format!("{n} 份回答被服务器拒收，已保留在本设备上。"),
        (Lang::ZhTw, n) => format!("{n} 份回覆被伺服器拒收，已保留在本裝置上。"),
        (Lang::En, 1) => {
            "1 response was refused by the server and is kept on this device.".to_owned()
        }
        (Lang::En, n) => {
            format!("{n} responses were refused by the server and are kept on this device.")
        }
    }
}

/// When the last batch was delivered.
pub fn sync_last_success(lang: Lang, at: &str) -> String {
    match lang {
        Lang::ZhCn => format!("上次发送成功：{at}"),
        Lang::ZhTw => format!("上次傳送成功：{at}"),
        Lang::En => format!("Last sent: {at}"),
    }
}

/// The last failure, with the promise of an automatic retry.
pub fn sync_failed(lang: Lang, reason: &str) -> String {
    match lang {
        Lang::ZhCn => format!("发送失败（{reason}），稍后会自动重试。"),
        Lang::ZhTw => format!("傳送失敗（{reason}），稍後會自動重試。"),
        Lang::En => format!("Sending failed ({reason}); it will be retried automatically."),
    }
}

/// The countdown before the kiosk gets ready for the next customer.
pub fn kiosk_next_in(lang: Lang, seconds: u32) -> String {
    match lang {
        Lang::ZhCn => format!("{seconds} 秒后为下一位客户准备。"),
        Lang::ZhTw => format!("{seconds} 秒後為下一位客戶準備。"),
        Lang::En => format!("Ready for the next customer in {seconds} s."),
    }
}

/// The countdown before an idle kiosk ends the session.
pub fn kiosk_idle_in(lang: Lang, seconds: u32) -> String {
    match lang {
        Lang::ZhCn => format!("{seconds} 秒后将结束本次作答。"),
        Lang::ZhTw => format!("{seconds} 秒後將結束本次填答。"),
        Lang::En => format!("This session ends in {seconds} s."),
    }
}

/// A failure to load or save, with the reason.
pub fn load_failed(lang: Lang, reason: &str) -> String {
    match lang {
        Lang::ZhCn => format!("出错了：{reason}"),
        Lang::ZhTw => format!("發生錯誤：{reason}"),
        Lang::En => format!("Something went wrong: {reason}"),
    }
}

/// The server's refusal of what the token's role or survey scope does not allow, in its words.
pub fn refused(lang: Lang, message: &str) -> String {
    match lang {
        Lang::ZhCn => format!("此令牌无权这样做。服务器的说明：{message}"),
        Lang::ZhTw => format!("此權杖無權這樣做。伺服器的說明：{message}"),
        Lang::En => format!("This token may not do this. The server says: {message}"),
    }
}

/// A token's role in words; a role this build does not know as the server names it.
pub fn role(lang: Lang, role: &manyi_api::Role) -> String {
    use manyi_api::Role;
    let msg = match role {
        Role::Admin => AdminMsg::RoleAdmin,
        Role::Editor => AdminMsg::RoleEditor,
        Role::Analyst => AdminMsg::RoleAnalyst,
        Role::CaseHandler => AdminMsg::RoleCaseHandler,
        Role::Other(name) => return name.clone(),
    };
    msg.text(lang).to_owned()
}

/// Who is signed in, in the dashboard's header.
pub fn signed_in_as(lang: Lang, name: &str, role: &str) -> String {
    match lang {
        Lang::ZhCn => format!("已登录：{name}（{role}）"),
        Lang::ZhTw => format!("已登入：{name}（{role}）"),
        Lang::En => format!("Signed in as {name} ({role})"),
    }
}

/// The surveys a token is limited to.
pub fn limited_to(lang: Lang, surveys: &[String]) -> String {
    match lang {
        Lang::ZhCn => format!("仅限问卷：{}", surveys.join("、")),
        Lang::ZhTw => format!("僅限問卷：{}", surveys.join("、")),
        Lang::En => format!("Limited to the surveys {}", surveys.join(", ")),
    }
}

/// What an audit log entry records, in words; an action this build does not know as the
/// server names it.
pub fn audit_action(lang: Lang, action: &manyi_api::AuditAction) -> String {
    use manyi_api::AuditAction as A;
    let msg = match action {
        A::Publish => AdminMsg::AuditPublish,
        A::SetOrigins => AdminMsg::AuditSetOrigins,
        A::SetTargets => AdminMsg::AuditSetTargets,
        A::Export => AdminMsg::AuditExport,
        A::DeleteResponse => AdminMsg::AuditDeleteResponse,
        A::CreateToken => AdminMsg::AuditCreateToken,
        A::RevokeToken => AdminMsg::AuditRevokeToken,
        A::SetAlertRules => AdminMsg::AuditSetAlertRules,
        A::AddWebhook => AdminMsg::AuditAddWebhook,
        A::RemoveWebhook => AdminMsg::AuditRemoveWebhook,
        A::Redeliver => AdminMsg::AuditRedeliver,
        A::Other(name) => return name.clone(),
    };
    msg.text(lang).to_owned()
}

/// A survey's version next to its title.
pub fn version(lang: Lang, version: u32) -> String {
    match lang {
        Lang::ZhCn | Lang::ZhTw => format!("（第 {version} 版）"),
        Lang::En => format!("(version {version})"),
    }
}

/// The filter the overview is restricted to.
pub fn filtered_by(lang: Lang, key: &str, value: &str) -> String {
    match lang {
        Lang::ZhCn => format!("只显示 {key} = {value} 的回答。"),
        Lang::ZhTw => format!("只顯示 {key} = {value} 的回覆。"),
        Lang::En => format!("Showing only responses with {key} = {value}."),
    }
}

/// A change against the previous period, already signed and rounded.
pub fn vs_previous(lang: Lang, difference: &str) -> String {
    match lang {
        Lang::ZhCn => format!("较上一时段 {difference}"),
        Lang::ZhTw => format!("較前一時段 {difference}"),
        Lang::En => format!("{difference} vs previous period"),
    }
}

/// The NPS chart's description for screen readers.
pub fn nps_description(
    lang: Lang,
    n: usize,
    promoters: usize,
    passives: usize,
    detractors: usize,
) -> String {
    match lang {
        Lang::ZhCn => format!(
            "共 {n} 个有效回答：推荐者 {promoters}，被动者 {passives}，贬损者 {detractors}。"
        ),
        Lang::ZhTw => format!(
            "共 {n} 個有效回覆：推薦者 {promoters}，被動者 {passives}，批評者 {detractors}。"
        ),
        Lang::En => format!(
            "{n} valid answers: {promoters} promoters, {passives} passives, {detractors} detractors."
        ),
    }
}

/// The trend chart's title.
pub fn trend_title(lang: Lang, metric: &str) -> String {
    match lang {
        Lang::ZhCn => format!("趋势：{metric}"),
        Lang::ZhTw => format!("趨勢：{metric}"),
        Lang::En => format!("Trend: {metric}"),
    }
}

/// The trend chart's description for screen readers.
pub fn trend_description(lang: Lang, metric: &str, points: usize) -> String {
    match lang {
        Lang::ZhCn => format!("{metric}在 {points} 个时段的数值，阴影为 95% 置信区间。"),
        Lang::ZhTw => format!("{metric}在 {points} 個時段的數值，陰影為 95% 信賴區間。"),
        Lang::En => format!(
            "{metric} over {points} periods; the shaded band is the 95% confidence interval."
        ),
    }
}

/// A trend chart period's tooltip: the period, its figure and how many responses it holds.
pub fn trend_point(lang: Lang, period: &str, metric: &str, value: &str, n: usize) -> String {
    match (lang, n) {
        (Lang::ZhCn, n) => format!("{period}：{metric} {value}（{n} 份回答）"),
        (Lang::ZhTw, n) => format!("{period}：{metric} {value}（{n} 份回覆）"),
        (Lang::En, 1) => format!("{period}: {metric} {value} (1 response)"),
        (Lang::En, n) => format!("{period}: {metric} {value} ({n} responses)"),
    }
}

/// What the overview says while its report is computed, on the server or on this device.
pub fn computing_report(lang: Lang, survey: &str) -> String {
    match lang {
        Lang::ZhCn => format!("正在计算“{survey}”的报告……"),
        Lang::ZhTw => format!("正在計算「{survey}」的報告……"),
        Lang::En => format!("Computing the report for {survey}…"),
    }
}

/// The segment table's heading.
pub fn segments_by(lang: Lang, key: &str) -> String {
    match lang {
        Lang::ZhCn => format!("按 {key} 分组比较"),
        Lang::ZhTw => format!("依 {key} 分組比較"),
        Lang::En => format!("Segments by {key}"),
    }
}

/// The button that restricts the overview to one segment.
pub fn only_this(lang: Lang, value: &str) -> String {
    match lang {
        Lang::ZhCn => format!("只看 {value}"),
        Lang::ZhTw => format!("只看 {value}"),
        Lang::En => format!("Only {value}"),
    }
}

/// Days until a target's deadline, or since it passed.
pub fn days_left(lang: Lang, days: i64) -> String {
    match (lang, days) {
        (Lang::ZhCn, d) if d < 0 => format!("已过期 {} 天", -d),
        (Lang::ZhTw, d) if d < 0 => format!("已逾期 {} 天", -d),
        (Lang::En, d) if d < 0 => format!("{} days overdue", -d),
        (Lang::ZhCn | Lang::ZhTw, d) => format!("剩 {d} 天"),
        (Lang::En, 1) => "1 day left".to_owned(),
        (Lang::En, d) => format!("{d} days left"),
    }
}

/// Confirmation after a definition was published or kept.
pub fn published(lang: Lang, id: &str, version: u32) -> String {
    match lang {
        Lang::ZhCn => format!("已保存问卷 {id} 第 {version} 版。"),
        Lang::ZhTw => format!("已儲存問卷 {id} 第 {version} 版。"),
        Lang::En => format!("Saved survey {id}, version {version}."),
    }
}

/// The management screen's heading.
pub fn manage_title(lang: Lang, id: &str) -> String {
    match lang {
        Lang::ZhCn => format!("管理问卷 {id}"),
        Lang::ZhTw => format!("管理問卷 {id}"),
        Lang::En => format!("Manage survey {id}"),
    }
}

/// How many open-text answers match and how many are listed.
pub fn texts_found(lang: Lang, total: usize, shown: usize) -> String {
    match lang {
        Lang::ZhCn => format!("共 {total} 条匹配的回答，显示最新的 {shown} 条。"),
        Lang::ZhTw => format!("共 {total} 筆相符的回覆，顯示最新的 {shown} 筆。"),
        Lang::En => format!("{total} matching answers; the newest {shown} are shown."),
    }
}

/// Confirmation after the allowed origins were saved.
pub fn origins_saved(lang: Lang, count: usize) -> String {
    match lang {
        Lang::ZhCn => format!("已保存 {count} 个来源。"),
        Lang::ZhTw => format!("已儲存 {count} 個來源。"),
        Lang::En => format!("Saved {count} origin(s)."),
    }
}

/// The staff's warning that the kiosk's storage is filling up: how many more responses fit and
/// what to do about it.
pub fn kiosk_storage_low(lang: Lang, room: u64, used_percent: u64) -> String {
    let room = crate::format::count(room);
    match lang {
        Lang::ZhCn => {
            format!("存储空间已用 {used_percent}%，约还能保存 {room} 份回答。请连接网络以便发送。")
        }
        Lang::ZhTw => {
            format!("儲存空間已用 {used_percent}%，約還能保存 {room} 份回覆。請連接網路以便傳送。")
        }
        Lang::En => format!(
            "Storage {used_percent}% used: room for about {room} more responses. Connect the kiosk to the network so they can be sent."
        ),
    }
}

/// The kiosk's storage as staff see it in the settings: use, quota, room left and whether the
/// browser keeps it under disk pressure.
pub fn kiosk_storage(lang: Lang, usage: u64, quota: u64, room: u64, persisted: bool) -> String {
    let mb = |bytes: u64| crate::format::fixed(bytes as f64 / 1_000_000.0, 1);
    let (usage, quota, room) = (mb(usage), mb(quota), crate::format::count(room));
    match (lang, persisted) {
        (Lang::ZhCn, true) => format!(
            "存储：已用 {usage} MB，共 {quota} MB，约还能保存 {room} 份回答；浏览器会持久保留这些数据。"
        ),
        (Lang::ZhCn, false) => format!(
            "存储：已用 {usage} MB，共 {quota} MB，约还能保存 {room} 份回答；浏览器未承诺持久保留，磁盘紧张时可能清除。"
        ),
        (Lang::ZhTw, true) => format!(
            "儲存：已用 {usage} MB，共 {quota} MB，約還能保存 {room} 份回覆；瀏覽器會持久保留這些資料。"
        ),
        (Lang::ZhTw, false) => format!(
            "儲存：已用 {usage} MB，共 {quota} MB，約還能保存 {room} 份回覆；瀏覽器未承諾持久保留，磁碟緊張時可能清除。"
        ),
        (Lang::En, true) => format!(
            "Storage: {usage} MB of {quota} MB used, room for about {room} more responses; the browser keeps it persistently."
        ),
        (Lang::En, false) => format!(
            "Storage: {usage} MB of {quota} MB used, room for about {room} more responses; the browser has not promised to keep it and may clear it when the disk is short."
        ),
    }
}

/// Where in an alert rule's condition a problem is, counted from 1 as people count.
pub fn at_character(lang: Lang, position: usize) -> String {
    let n = position + 1;
    match lang {
        Lang::ZhCn => format!("（第 {n} 个字符处）"),
        Lang::ZhTw => format!("（第 {n} 個字元處）"),
        Lang::En => format!("(at character {n})"),
    }
}

/// A duration of the loop (time to first action, to resolution), to the minute below a day
/// and to the hour above.
pub fn duration(lang: Lang, seconds: f64) -> String {
    let minutes = (seconds.max(0.0) / 60.0).floor() as u64;
    let (days, hours, minutes) = (minutes / 1440, minutes / 60 % 24, minutes % 60);
    match (lang, days, hours, minutes) {
        (Lang::ZhCn, 0, 0, 0) => "不到 1 分钟".to_owned(),
        (Lang::ZhTw, 0, 0, 0) => "不到 1 分鐘".to_owned(),
        (Lang::En, 0, 0, 0) => "under a minute".to_owned(),
        (Lang::ZhCn, 0, 0, m) => format!("{m} 分钟"),
        (Lang::ZhTw, 0, 0, m) => format!("{m} 分鐘"),
        (Lang::En, 0, 0, m) => format!("{m} min"),
        (Lang::ZhCn, 0, h, m) => format!("{h} 小时 {m} 分钟"),
        (Lang::ZhTw, 0, h, m) => format!("{h} 小時 {m} 分鐘"),
        (Lang::En, 0, h, m) => format!("{h} h {m} min"),
        (Lang::ZhCn, d, h, _) => format!("{d} 天 {h} 小时"),
        (Lang::ZhTw, d, h, _) => format!("{d} 天 {h} 小時"),
        (Lang::En, d, h, _) => format!("{d} d {h} h"),
    }
}

/// A median with the number of cases it is over.
pub fn with_n(lang: Lang, value: &str, n: u64) -> String {
    match lang {
        Lang::ZhCn | Lang::ZhTw => format!("{value}（n = {n}）"),
        Lang::En => format!("{value} (n = {n})"),
    }
}

/// A case's status in words.
pub fn case_status(lang: Lang, status: manyi_core::cases::CaseStatus) -> &'static str {
    use manyi_core::cases::CaseStatus as S;
    match status {
        S::Open => AdminMsg::StatusOpen,
        S::InProgress => AdminMsg::StatusInProgress,
        S::Resolved => AdminMsg::StatusResolved,
        S::Closed => AdminMsg::StatusClosed,
    }
    .text(lang)
}

/// A case's status as the server sent it, in words; a status this build does not know as the
/// server names it.
pub fn wire_status(lang: Lang, status: &manyi_api::CaseStatus) -> String {
    match status.known() {
        Some(known) => case_status(lang, known).to_owned(),
        None => status.as_str().to_owned(),
    }
}

/// A case's severity in words.
pub fn severity(lang: Lang, severity: manyi_core::alerts::Severity) -> &'static str {
    use manyi_core::alerts::Severity as S;
    match severity {
        S::Low => AdminMsg::SeverityLow,
        S::Medium => AdminMsg::SeverityMedium,
        S::High => AdminMsg::SeverityHigh,
        S::Critical => AdminMsg::SeverityCritical,
    }
    .text(lang)
}

/// Where a webhook delivery stands, in words.
pub fn delivery_status(lang: Lang, status: &manyi_api::DeliveryStatus) -> String {
    use manyi_api::DeliveryStatus as S;
    let msg = match status {
        S::Pending => AdminMsg::DeliveryPending,
        S::Delivered => AdminMsg::DeliveryDelivered,
        S::Failed => AdminMsg::DeliveryFailed,
        S::Other(name) => return name.clone(),
    };
    msg.text(lang).to_owned()
}

/// What a webhook event means, after its name.
pub fn webhook_event(lang: Lang, event: &manyi_api::WebhookEvent) -> String {
    use manyi_api::WebhookEvent as E;
    let msg = match event {
        E::ResponseCreated => AdminMsg::EventResponseCreated,
        E::CaseOpened => AdminMsg::EventCaseOpened,
        E::CaseUpdated => AdminMsg::EventCaseUpdated,
        E::Other(_) => return String::new(),
    };
    msg.text(lang).to_owned()
}

/// What an entry of a case's timeline records, its times already written by `time`.
pub fn case_event(
    lang: Lang,
    event: &manyi_api::CaseEvent,
    time: impl Fn(chrono::DateTime<chrono::FixedOffset>) -> String,
) -> String {
    use manyi_api::CaseEventKind as K;
    let status = |s: &Option<manyi_api::CaseStatus>| {
        s.as_ref().map(|s| wire_status(lang, s)).unwrap_or_default()
    };
    match &event.kind {
        K::Opened => {
            let due = event.due_at.map(&time).unwrap_or_default();
            match (lang, &event.owner) {
                (Lang::ZhCn, Some(o)) => format!("开启个案，负责人 {o}，{due} 到期"),
                (Lang::ZhCn, None) => format!("开启个案，未分派，{due} 到期"),
                (Lang::ZhTw, Some(o)) => format!("開啟個案，負責人 {o}，{due} 到期"),
                (Lang::ZhTw, None) => format!("開啟個案，未指派，{due} 到期"),
                (Lang::En, Some(o)) => format!("Opened for {o}, due {due}"),
                (Lang::En, None) => format!("Opened, unassigned, due {due}"),
            }
        }
        K::Note => {
            let text = event.text.as_deref().unwrap_or_default();
            match (lang, event.contacted) {
                (Lang::ZhCn, true) => format!("备注（已联系客户）：{text}"),
                (Lang::ZhCn, false) => format!("备注：{text}"),
                (Lang::ZhTw, true) => format!("備註（已聯繫客戶）：{text}"),
                (Lang::ZhTw, false) => format!("備註：{text}"),
                (Lang::En, true) => format!("Note (customer contacted): {text}"),
                (Lang::En, false) => format!("Note: {text}"),
            }
        }
        K::Assigned => match (lang, &event.owner) {
            (Lang::ZhCn, Some(o)) => format!("分派给 {o}"),
            (Lang::ZhTw, Some(o)) => format!("指派給 {o}"),
            (Lang::En, Some(o)) => format!("Assigned to {o}"),
            (Lang::ZhCn, None) => "取消分派".to_owned(),
            (Lang::ZhTw, None) => "取消指派".to_owned(),
            (Lang::En, None) => "Unassigned".to_owned(),
        },
        K::StatusChanged => {
            let (from, to) = (status(&event.from), status(&event.to));
            match (lang, &event.resolution) {
                (Lang::ZhCn | Lang::ZhTw, Some(r)) => format!("{from} → {to}：{r}"),
                (Lang::ZhCn | Lang::ZhTw, None) => format!("{from} → {to}"),
                (Lang::En, Some(r)) => format!("{from} → {to}: {r}"),
                (Lang::En, None) => format!("{from} → {to}"),
            }
        }
        K::Other(kind) => kind.clone(),
    }
}

/// The server's refusal of a change the case no longer allows (someone else moved it, or the
/// change does not apply to its status), after the case was read again.
pub fn case_conflict(lang: Lang, message: &str) -> String {
    match lang {
        Lang::ZhCn => format!(
            "个案已被他人更改，或现在不允许这项更改；已重新载入个案。服务器的说明：{message}"
        ),
        Lang::ZhTw => format!(
            "個案已被他人變更，或現在不允許這項變更；已重新載入個案。伺服器的說明：{message}"
        ),
        Lang::En => format!(
            "Someone changed this case meanwhile, or this change is not allowed now; the case has been read again. The server says: {message}"
        ),
    }
}

/// The server's refusal of a change no case takes (an empty note, an end without a
/// resolution).
pub fn case_refused(lang: Lang, message: &str) -> String {
    match lang {
        Lang::ZhCn => format!("服务器没有接受这项更改：{message}"),
        Lang::ZhTw => format!("伺服器沒有接受這項變更：{message}"),
        Lang::En => format!("The server did not take this change: {message}"),
    }
}

/// The legend of one alert rule in the editor.
pub fn rule_legend(lang: Lang, n: usize) -> String {
    match lang {
        Lang::ZhCn => format!("规则 {n}"),
        Lang::ZhTw => format!("規則 {n}"),
        Lang::En => format!("Rule {n}"),
    }
}

/// Confirmation after the alert rules were saved.
pub fn rules_saved(lang: Lang, count: usize) -> String {
    match lang {
        Lang::ZhCn => format!("已保存 {count} 条规则。"),
        Lang::ZhTw => format!("已儲存 {count} 條規則。"),
        Lang::En => format!("Saved {count} rule(s)."),
    }
}

/// The question before an endpoint is removed.
pub fn remove_endpoint(lang: Lang, url: &str) -> String {
    match lang {
        Lang::ZhCn => format!("删除端点 {url}？之后不再向它投递。"),
        Lang::ZhTw => format!("刪除端點 {url}？之後不再向它傳送。"),
        Lang::En => format!("Remove the endpoint {url}? Nothing more will be delivered to it."),
    }
}

/// A list of names, as each language joins them.
pub fn names(lang: Lang, items: &[String]) -> String {
    match lang {
        Lang::ZhCn | Lang::ZhTw => items.join("、"),
        Lang::En => items.join(", "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validator_messages_name_their_bounds_in_every_language() {
        use manyi_core::validate::CheckFailure as F;
        let bounded = F::OutOfBounds {
            min: Some(0.5),
            max: Some(10.0),
        };
        assert_eq!(
            check_failure(Lang::En, bounded),
            "Please enter a number from 0.5 to 10."
        );
        assert_eq!(
            check_failure(Lang::ZhCn, bounded),
            "请输入 0.5 到 10 之间的数字。"
        );
        let short = F::Length {
            min: Some(2),
            max: None,
        };
        assert_eq!(check_failure(Lang::ZhTw, short), "請至少輸入 2 個字。");
        let long = F::Length {
            min: None,
            max: Some(9),
        };
        assert_eq!(check_failure(Lang::En, long), too_long(Lang::En, 9));
        assert_eq!(
            check_failure(Lang::En, F::TooManyChoices { max: 1 }),
            "Please choose only one option."
        );
        for failure in [F::NotEmail, F::NoMatch, F::NotNumeric, F::EndsInDigit] {
            let texts: Vec<String> = Lang::ALL
                .iter()
                .map(|l| check_failure(*l, failure))
                .collect();
            assert!(texts.iter().all(|t| !t.is_empty()), "{failure:?}");
            assert_ne!(texts[0], texts[2], "{failure:?} is translated");
        }
    }

    #[test]
    fn loop_durations_read_to_the_minute_below_a_day_and_to_the_hour_above() {
        assert_eq!(duration(Lang::En, 59.9), "under a minute");
        assert_eq!(duration(Lang::En, 45.0 * 60.0 + 30.0), "45 min");
        assert_eq!(
            duration(Lang::ZhCn, 3.0 * 3600.0 + 20.0 * 60.0),
            "3 小时 20 分钟"
        );
        assert_eq!(
            duration(Lang::ZhTw, 2.0 * 86400.0 + 4.5 * 3600.0),
            "2 天 4 小時"
        );
        assert_eq!(duration(Lang::En, -5.0), "under a minute");
        assert_eq!(with_n(Lang::En, "45 min", 3), "45 min (n = 3)");
        assert_eq!(at_character(Lang::En, 0), "(at character 1)");
    }

    #[test]
    fn every_closing_the_loop_string_is_translated() {
        use manyi_api::{CaseEvent, CaseEventKind, DeliveryStatus, WebhookEvent};
        use manyi_core::alerts::Severity;
        use manyi_core::cases::CaseStatus;
        // Each language's text differs from English's; identical texts would be an arm
        // copied without translating. Names that are the same in every language are listed.
        let same = [AdminMsg::WebhooksLink];
        let msgs = [
            AdminMsg::CasesLink,
            AdminMsg::WebhooksLink,
            AdminMsg::CasesHelp,
            AdminMsg::NoCases,
            AdminMsg::NoCasesRole,
            AdminMsg::CaseFilters,
            AdminMsg::Status,
            AdminMsg::AnyStatus,
            AdminMsg::NotEnded,
            AdminMsg::StatusOpen,
            AdminMsg::StatusInProgress,
            AdminMsg::StatusResolved,
            AdminMsg::StatusClosed,
            AdminMsg::Owner,
            AdminMsg::UnassignedOnly,
            AdminMsg::Unassigned,
            AdminMsg::Location,
            AdminMsg::AnySurvey,
            AdminMsg::OverdueOnly,
            AdminMsg::Severity,
            AdminMsg::SeverityLow,
            AdminMsg::SeverityMedium,
            AdminMsg::SeverityHigh,
            AdminMsg::SeverityCritical,
            AdminMsg::Opened,
            AdminMsg::Due,
            AdminMsg::Overdue,
            AdminMsg::CaseRules,
            AdminMsg::CaseList,
            AdminMsg::MoreCases,
            AdminMsg::LoopFigures,
            AdminMsg::LoopHelp,
            AdminMsg::ComplaintRate,
            AdminMsg::CasesOpened,
            AdminMsg::FirstAction,
            AdminMsg::ResolutionTime,
            AdminMsg::WithinSla,
            AdminMsg::ClosedLoop,
            AdminMsg::Backlog,
            AdminMsg::NoBacklog,
            AdminMsg::OpenCases,
            AdminMsg::BackToCases,
            AdminMsg::CaseSummary,
            AdminMsg::FirstActionAt,
            AdminMsg::EndedAt,
            AdminMsg::Resolution,
            AdminMsg::Contacted,
            AdminMsg::ContactedFact,
            AdminMsg::NotContacted,
            AdminMsg::ContactHeading,
            AdminMsg::NoContact,
            AdminMsg::Phone,
            AdminMsg::Email,
            AdminMsg::ResponseHeading,
            AdminMsg::ResponseGone,
            AdminMsg::Meta,
            AdminMsg::Key,
            AdminMsg::Value,
            AdminMsg::ScoresHeading,
            AdminMsg::Timeline,
            AdminMsg::When,
            AdminMsg::What,
            AdminMsg::AddNote,
            AdminMsg::NoteLabel,
            AdminMsg::ContactedLabel,
            AdminMsg::SaveNote,
            AdminMsg::AssignHeading,
            AdminMsg::AssignHelp,
            AdminMsg::AssignButton,
            AdminMsg::ChangeStatus,
            AdminMsg::NewStatus,
            AdminMsg::ResolutionHelp,
            AdminMsg::NoHandle,
            AdminMsg::CaseSaved,
            AdminMsg::AlertRules,
            AdminMsg::AlertRulesHelp,
            AdminMsg::NoAlertRules,
            AdminMsg::RuleId,
            AdminMsg::RuleName,
            AdminMsg::RuleWhen,
            AdminMsg::OwnerFrom,
            AdminMsg::OwnerFixed,
            AdminMsg::OwnerMeta,
            AdminMsg::OwnerValue,
            AdminMsg::ServiceHours,
            AdminMsg::AddRule,
            AdminMsg::RemoveRule,
            AdminMsg::SaveRules,
            AdminMsg::RulesInvalid,
            AdminMsg::Webhooks,
            AdminMsg::WebhooksHelp,
            AdminMsg::NoWebhooks,
            AdminMsg::NoWebhooksRole,
            AdminMsg::EndpointUrl,
            AdminMsg::EndpointUrlHelp,
            AdminMsg::Events,
            AdminMsg::EventResponseCreated,
            AdminMsg::EventCaseOpened,
            AdminMsg::EventCaseUpdated,
            AdminMsg::EndpointSurvey,
            AdminMsg::AddEndpoint,
            AdminMsg::NewEndpoint,
            AdminMsg::Secret,
            AdminMsg::SecretOnce,
            AdminMsg::Registered,
            AdminMsg::ConfirmRemove,
            AdminMsg::Cancel,
            AdminMsg::Deliveries,
            AdminMsg::NoDeliveries,
            AdminMsg::Attempts,
            AdminMsg::LastError,
            AdminMsg::NextAttempt,
            AdminMsg::DeliveryPending,
            AdminMsg::DeliveryDelivered,
            AdminMsg::DeliveryFailed,
            AdminMsg::Redeliver,
            AdminMsg::OlderDeliveries,
        ];
        for msg in msgs.into_iter().filter(|m| !same.contains(m)) {
            let [zh_cn, zh_tw, en] = Lang::ALL.map(|l| msg.text(l));
            assert!(!en.is_empty() && zh_cn != en && zh_tw != en, "{msg:?}");
        }
        for status in CaseStatus::ALL {
            assert_ne!(
                case_status(Lang::ZhCn, status),
                case_status(Lang::En, status)
            );
        }
        for s in Severity::ALL {
            assert_ne!(severity(Lang::ZhTw, s), severity(Lang::En, s));
        }
        assert_eq!(
            delivery_status(Lang::En, &DeliveryStatus::Other("x".into())),
            "x"
        );
        assert_eq!(
            webhook_event(Lang::ZhCn, &WebhookEvent::CaseOpened),
            "回答开启了跟进个案"
        );
        let event = CaseEvent {
            at: "2026-11-02T10:00:00+08:00".parse().unwrap(),
            by: "ada".into(),
            kind: CaseEventKind::StatusChanged,
            text: None,
            contacted: false,
            owner: None,
            due_at: None,
            from: Some(manyi_api::CaseStatus::Open),
            to: Some(manyi_api::CaseStatus::Resolved),
            resolution: Some("refunded".into()),
        };
        let time = |t: chrono::DateTime<chrono::FixedOffset>| t.to_rfc3339();
        assert_eq!(
            case_event(Lang::En, &event, time),
            "Open → Resolved: refunded"
        );
        assert_eq!(
            case_event(Lang::ZhCn, &event, time),
            "待处理 → 已解决：refunded"
        );
    }

    #[test]
    fn browser_tags_map_to_supported_languages() {
        assert_eq!(Lang::from_tag("zh-CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("zh"), Some(Lang::ZhCn));
        assert_eq!(Lang::from_tag("zh-Hant-HK"), Some(Lang::ZhTw));
        assert_eq!(Lang::from_tag("zh-tw"), Some(Lang::ZhTw));
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr"), None);
    }
}
