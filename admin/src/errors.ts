/**
 * Problem+json errors from the API (RFC 9457, a stable `code` on every one), said in words a person
 * understands, with what to do next, in each of the UI's languages. Pure: no DOM, unit-tested in
 * test/unit/admin-errors.test.ts.
 */
export type Lang = "pt-BR" | "en" | "es";

export interface Problem {
  type?: string;
  title?: string;
  status: number;
  code: string;
  detail?: string;
  instance?: string;
  errors?: Array<{ path: string; message: string }>;
  [extension: string]: unknown;
}

type Text = Readonly<Record<Lang, string>>;

const MESSAGES: Readonly<Record<string, Text>> = {
  service_account_roles: {
    en: "A service account is an author and nothing else: it cannot be given another role.",
    "pt-BR": "Uma conta de serviço é autora e nada mais: não pode receber outro papel.",
    es: "Una cuenta de servicio es autora y nada más: no puede recibir otro rol.",
  },
  invalid_credentials: {
    en: "The email or password is not right. Check them and try again; after 10 failed attempts the account is locked for 15 minutes.",
    "pt-BR":
      "E-mail ou senha incorretos. Confira e tente de novo; após 10 tentativas erradas a conta fica bloqueada por 15 minutos.",
    es: "El correo electrónico o la contraseña no son correctos. Revísalos e inténtalo de nuevo; tras 10 intentos fallidos la cuenta se bloquea durante 15 minutos.",
  },
  invalid_mfa_code: {
    en: "That code was not accepted. Type the 6 digits your authenticator app shows now, or one of your recovery codes.",
    "pt-BR":
      "Esse código não foi aceito. Digite os 6 dígitos que o seu aplicativo autenticador mostra agora, ou um dos seus códigos de recuperação.",
    es: "Ese código no fue aceptado. Escribe los 6 dígitos que muestra ahora tu aplicación de autenticación, o uno de tus códigos de recuperación.",
  },
  mfa_code_replayed: {
    en: "That code was already used. Wait for your authenticator app to show a new one (up to 30 seconds) and type it.",
    "pt-BR": "Esse código já foi usado. Espere o aplicativo mostrar um novo (até 30 segundos) e digite-o.",
    es: "Ese código ya se usó. Espera a que tu aplicación de autenticación muestre uno nuevo (hasta 30 segundos) y escríbelo.",
  },
  tenant_suspended: {
    en: "This site is suspended by the platform operator. Its content is kept; ask the operator when it will be back.",
    "pt-BR":
      "Este site foi suspenso pelo operador da plataforma. O conteúdo está preservado; pergunte ao operador quando ele volta.",
    es: "Este sitio fue suspendido por el operador de la plataforma. Su contenido se conserva; pregunta al operador cuándo vuelve.",
  },
  unknown_hostname: {
    en: "The primary hostname must be one of this site's hostnames.",
    "pt-BR": "O endereço principal precisa ser um dos endereços deste site.",
    es: "La dirección principal debe ser una de las direcciones de este sitio.",
  },
  invalid_logo: {
    en: "The logo must be an image from this site's media library that is not health data.",
    "pt-BR": "O logotipo precisa ser uma imagem da biblioteca de mídia deste site que não seja dado de saúde.",
    es: "El logotipo debe ser una imagen de la biblioteca de medios de este sitio que no sea un dato de salud.",
  },
  mfa_locked: {
    en: "Too many wrong codes for this account. Two-factor sign-in is locked for 15 minutes; then try again with a new code or a recovery code.",
    "pt-BR":
      "Códigos errados demais para esta conta. A entrada em dois fatores fica bloqueada por 15 minutos; depois tente de novo com um novo código ou um código de recuperação.",
    es: "Demasiados códigos incorrectos para esta cuenta. El acceso con dos factores queda bloqueado durante 15 minutos; después inténtalo de nuevo con un código nuevo o un código de recuperación.",
  },
  invalid_mfa_token: {
    en: "The sign-in step took too long or was attempted too many times. Start again with your email and password.",
    "pt-BR": "A etapa de entrada demorou demais ou teve tentativas demais. Comece de novo com e-mail e senha.",
    es: "El paso de acceso tardó demasiado o se intentó demasiadas veces. Empieza de nuevo con tu correo electrónico y contraseña.",
  },
  mfa_not_started: {
    en: "Two-factor setup has not started yet. Press “Set up two-factor authentication” first.",
    "pt-BR":
      "A configuração em dois fatores ainda não começou. Clique primeiro em “Configurar autenticação em dois fatores”.",
    es: "La configuración de dos factores aún no ha empezado. Pulsa primero «Configurar la autenticación en dos factores».",
  },
  mfa_code_required: {
    en: "Two-factor authentication is already on. To replace it, type a current code from your authenticator app or a recovery code.",
    "pt-BR":
      "A autenticação em dois fatores já está ativa. Para substituí-la, digite um código atual do aplicativo autenticador ou um código de recuperação.",
    es: "La autenticación en dos factores ya está activada. Para reemplazarla, escribe un código actual de tu aplicación de autenticación o un código de recuperación.",
  },
  mfa_already_enabled: {
    en: "Two-factor authentication is already on for this account.",
    "pt-BR": "A autenticação em dois fatores já está ativa nesta conta.",
    es: "La autenticación en dos factores ya está activada en esta cuenta.",
  },
  invalid_token: {
    en: "Your session has expired. Sign in again to continue.",
    "pt-BR": "Sua sessão expirou. Entre novamente para continuar.",
    es: "Tu sesión ha caducado. Vuelve a iniciar sesión para continuar.",
  },
  token_revoked: {
    en: "This session was ended (signed out here or on another device). Sign in again.",
    "pt-BR": "Esta sessão foi encerrada (saída aqui ou em outro dispositivo). Entre novamente.",
    es: "Esta sesión se cerró (aquí o en otro dispositivo). Vuelve a iniciar sesión.",
  },
  invalid_refresh_token: {
    en: "Your session has ended. Sign in again.",
    "pt-BR": "Sua sessão terminou. Entre novamente.",
    es: "Tu sesión ha terminado. Vuelve a iniciar sesión.",
  },
  unauthenticated: {
    en: "You need to sign in to do this.",
    "pt-BR": "Você precisa entrar para fazer isso.",
    es: "Necesitas iniciar sesión para hacer esto.",
  },
  step_up_required: {
    en: "For this action we need to confirm it is you: type the code from your authenticator app.",
    "pt-BR": "Para esta ação precisamos confirmar que é você: digite o código do seu aplicativo autenticador.",
    es: "Para esta acción necesitamos confirmar que eres tú: escribe el código de tu aplicación de autenticación.",
  },
  trust_read_only: {
    en: "This session may read but not change anything right now. Sign in again with your second factor to make changes.",
    "pt-BR":
      "Esta sessão pode ler, mas não alterar nada agora. Entre de novo com o segundo fator para fazer alterações.",
    es: "Esta sesión puede leer, pero ahora no puede cambiar nada. Vuelve a iniciar sesión con tu segundo factor para hacer cambios.",
  },
  trust_denied: {
    en: "The access policy refused this request from this device or network. Try from your usual device, or ask an administrator.",
    "pt-BR":
      "A política de acesso recusou este pedido a partir deste dispositivo ou rede. Tente do seu dispositivo habitual ou fale com um administrador.",
    es: "La política de acceso rechazó esta solicitud desde este dispositivo o red. Inténtalo desde tu dispositivo habitual o consulta a un administrador.",
  },
  origin_not_allowed: {
    en: "This request must come from the Vitalis admin application. Reload the page and try again.",
    "pt-BR": "Este pedido precisa vir do aplicativo de administração do Vitalis. Recarregue a página e tente de novo.",
    es: "Esta solicitud debe venir de la aplicación de administración de Vitalis. Recarga la página e inténtalo de nuevo.",
  },
  forbidden: {
    en: "You do not have permission to do this. Ask an editor or administrator if you need it.",
    "pt-BR": "Você não tem permissão para isso. Peça a um editor ou administrador se precisar.",
    es: "No tienes permiso para hacer esto. Pídelo a un editor o administrador si lo necesitas.",
  },
  forbidden_role: {
    en: "Your role does not allow this action. Ask an administrator if you need it.",
    "pt-BR": "O seu papel não permite esta ação. Fale com um administrador se precisar.",
    es: "Tu rol no permite esta acción. Pídelo a un administrador si lo necesitas.",
  },
  transition_forbidden: {
    en: "Your role cannot move this item to that state. Someone with the right role (editor, medical reviewer) must do it.",
    "pt-BR":
      "O seu papel não pode mover este item para esse estado. Alguém com o papel certo (editor, revisor médico) deve fazê-lo.",
    es: "Tu rol no puede llevar este elemento a ese estado. Debe hacerlo alguien con el rol adecuado (editor, revisor médico).",
  },
  invalid_transition: {
    en: "This item cannot go to that state from where it is now. Reload it to see its current state.",
    "pt-BR": "Este item não pode ir para esse estado a partir do atual. Recarregue-o para ver o estado atual.",
    es: "Este elemento no puede pasar a ese estado desde el actual. Recárgalo para ver su estado.",
  },
  reviewer_not_verified: {
    en: "Medical approval needs a reviewer whose CRM has been verified. Ask an administrator to verify your CRM in the Credentials queue.",
    "pt-BR":
      "A aprovação médica exige um revisor com CRM verificado. Peça a um administrador para verificar o seu CRM na fila de Credenciais.",
    es: "La aprobación médica necesita un revisor con el CRM verificado. Pide a un administrador que verifique tu CRM en la cola de Credenciales.",
  },
  four_eyes_required: {
    en: "The author cannot approve their own content. Another physician must review it.",
    "pt-BR": "O autor não pode aprovar o próprio conteúdo. Outro médico precisa revisá-lo.",
    es: "El autor no puede aprobar su propio contenido. Otro médico debe revisarlo.",
  },
  mail_not_dead: {
    en: "Only a message that was given up on can be retried; this one is still being delivered or was sent.",
    "pt-BR": "Só uma mensagem abandonada pode ser reenviada; esta ainda está sendo entregue ou já foi enviada.",
    es: "Solo un mensaje abandonado puede reintentarse; este todavía se está entregando o ya se envió.",
  },
  webhook_address_private: {
    en: "That address leads into a private network (loopback, private, link-local or metadata addresses, or a name that resolves to one). Use the receiver's public https address.",
    "pt-BR":
      "Esse endereço leva a uma rede privada (loopback, endereço privado, link-local ou de metadados, ou um nome que resolve para um deles). Use o endereço https público do receptor.",
    es: "Esa dirección lleva a una red privada (loopback, privada, link-local o de metadatos, o un nombre que resuelve a una de ellas). Usa la dirección https pública del receptor.",
  },
  webhook_url_invalid: {
    en: "The endpoint must be an https:// URL on the default port, 443 or 8443, without a user name or password.",
    "pt-BR": "O endpoint precisa ser uma URL https:// na porta padrão, 443 ou 8443, sem usuário nem senha.",
    es: "El endpoint debe ser una URL https:// en el puerto predeterminado, 443 u 8443, sin usuario ni contraseña.",
  },
  webhook_host_unresolvable: {
    en: "The endpoint's host name does not resolve. Check the spelling, or try again once its DNS is set up.",
    "pt-BR":
      "O nome do host do endpoint não resolve. Confira a grafia, ou tente de novo quando o DNS estiver configurado.",
    es: "El nombre de host del endpoint no resuelve. Revisa la ortografía, o inténtalo de nuevo cuando su DNS esté configurado.",
  },
  webhook_limit: {
    en: "This site already has the most webhook endpoints allowed (20). Remove one you no longer use first.",
    "pt-BR": "Este site já tem o máximo de endpoints de webhook permitido (20). Remova primeiro um que não use mais.",
    es: "Este sitio ya tiene el máximo de endpoints de webhook permitido (20). Elimina primero uno que ya no uses.",
  },
  webhook_delivery_pending: {
    en: "This delivery is still being attempted; it can be sent again once it was delivered or given up on.",
    "pt-BR": "Esta entrega ainda está em tentativa; ela pode ser reenviada depois de entregue ou abandonada.",
    es: "Esta entrega todavía se está intentando; puede reenviarse una vez entregada o abandonada.",
  },
  webhook_disabled: {
    en: "The endpoint is disabled. Enable it before sending deliveries again.",
    "pt-BR": "O endpoint está desativado. Ative-o antes de reenviar entregas.",
    es: "El endpoint está desactivado. Actívalo antes de reenviar entregas.",
  },
  mail_link_expired: {
    en: "The link in this message has expired, so sending it again would not help. Send a new invitation or reset instead.",
    "pt-BR":
      "O link desta mensagem expirou, então reenviá-la não adianta. Envie um novo convite ou uma nova redefinição.",
    es: "El enlace de este mensaje caducó, así que reenviarlo no sirve. Envía una nueva invitación o un nuevo restablecimiento.",
  },
  publish_blocked: {
    en: "Publishing is blocked by the analysis findings listed in the Analysis panel. Fix them and analyse again, or ask a medical reviewer to override with a written justification.",
    "pt-BR":
      "A publicação está bloqueada pelos achados da análise listados no painel Análise. Corrija-os e analise de novo, ou peça a um revisor médico que autorize com uma justificativa escrita.",
    es: "La publicación está bloqueada por los hallazgos del análisis que aparecen en el panel Análisis. Corrígelos y analiza de nuevo, o pide a un revisor médico que autorice con una justificación escrita.",
  },
  media_not_public: {
    en: "An image in this item is not cleared for the public site. In the media library, mark each image public and give it alt text; images of a patient never can be.",
    "pt-BR":
      "Uma imagem deste item não está liberada para o site público. Na biblioteca de mídia, marque cada imagem como pública e dê a ela um texto alternativo; imagens de paciente nunca podem ser.",
    es: "Una imagen de este elemento no está autorizada para el sitio público. En la biblioteca de medios, marca cada imagen como pública y dale un texto alternativo; las imágenes de un paciente nunca pueden serlo.",
  },
  featured_media_phi: {
    en: "The featured image is patient data (a record, a study, or a de-identified copy a medical reviewer has not yet checked for burned-in text). Choose another image, or have the copy reviewed first.",
    "pt-BR":
      "A imagem de destaque é dado de paciente (um prontuário, um exame, ou uma cópia desidentificada que um revisor médico ainda não conferiu quanto a texto gravado na imagem). Escolha outra imagem ou peça a revisão da cópia antes.",
    es: "La imagen destacada es un dato de paciente (una historia, un estudio o una copia desidentificada que un revisor médico aún no revisó en busca de texto grabado en la imagen). Elige otra imagen o pide primero la revisión de la copia.",
  },
  analysis_required: {
    en: "This version has not been analysed yet (or it changed since its analysis). Wait for the analysis to finish in the Analysis panel, or run it (Analyse), then try again.",
    "pt-BR":
      "Esta versão ainda não foi analisada (ou mudou desde a análise). Aguarde a análise terminar no painel Análise, ou rode-a (Analisar), e tente de novo.",
    es: "Esta versión aún no se ha analizado (o cambió después del análisis). Espera a que termine el análisis en el panel Análisis, o ejecútalo (Analizar), e inténtalo de nuevo.",
  },
  version_conflict: {
    en: "Someone else saved this item in the meantime. Reload it to see their changes, then apply yours again.",
    "pt-BR":
      "Outra pessoa salvou este item enquanto isso. Recarregue para ver as alterações e aplique as suas de novo.",
    es: "Otra persona guardó este elemento mientras tanto. Recárgalo para ver sus cambios y vuelve a aplicar los tuyos.",
  },
  content_locked: {
    en: "This item cannot be edited in its current state. Send it back to draft first.",
    "pt-BR": "Este item não pode ser editado no estado atual. Devolva-o para rascunho primeiro.",
    es: "Este elemento no se puede editar en su estado actual. Devuélvelo primero a borrador.",
  },
  content_trashed: {
    en: "This item is in the trash. Restore it first.",
    "pt-BR": "Este item está na lixeira. Restaure-o primeiro.",
    es: "Este elemento está en la papelera. Restáuralo primero.",
  },
  slug_taken: {
    en: "Another item already uses this slug (address). Choose a different one.",
    "pt-BR": "Outro item já usa este slug (endereço). Escolha outro.",
    es: "Otro elemento ya usa este slug (dirección). Elige otro.",
  },
  if_match_required: {
    en: "The save did not say which version it changes. Reload the item and try again.",
    "pt-BR": "O salvamento não indicou qual versão altera. Recarregue o item e tente de novo.",
    es: "El guardado no indicó qué versión cambia. Recarga el elemento e inténtalo de nuevo.",
  },
  invalid_if_match: {
    en: "The save named an unreadable version. Reload the item and try again.",
    "pt-BR": "O salvamento indicou uma versão ilegível. Recarregue o item e tente de novo.",
    es: "El guardado indicó una versión ilegible. Recarga el elemento e inténtalo de nuevo.",
  },
  idempotency_in_progress: {
    en: "The same request is still being processed. Wait a moment and reload.",
    "pt-BR": "O mesmo pedido ainda está sendo processado. Aguarde um momento e recarregue.",
    es: "La misma solicitud aún se está procesando. Espera un momento y recarga.",
  },
  idempotency_key_reused: {
    en: "This request was already sent with different data. Reload and try again.",
    "pt-BR": "Este pedido já foi enviado com dados diferentes. Recarregue e tente de novo.",
    es: "Esta solicitud ya se envió con otros datos. Recarga e inténtalo de nuevo.",
  },
  invalid_idempotency_key: {
    en: "The request carried an unusable retry key. Reload the page and try again.",
    "pt-BR": "O pedido trazia uma chave de repetição inválida. Recarregue a página e tente de novo.",
    es: "La solicitud llevaba una clave de reintento inservible. Recarga la página e inténtalo de nuevo.",
  },
  upload_content_type_refused: {
    en: "This kind of file is not accepted here. DICOM studies must be .dcm (application/dicom); images PNG, JPEG, GIF or WebP; documents PDF.",
    "pt-BR":
      "Este tipo de arquivo não é aceito aqui. Estudos DICOM devem ser .dcm (application/dicom); imagens PNG, JPEG, GIF ou WebP; documentos PDF.",
    es: "Este tipo de archivo no se acepta aquí. Los estudios DICOM deben ser .dcm (application/dicom); las imágenes PNG, JPEG, GIF o WebP; los documentos PDF.",
  },
  upload_too_large: {
    en: "The file is larger than allowed for its kind (DICOM 1 GiB, images 25 MiB, documents 100 MiB). Split or compress it.",
    "pt-BR":
      "O arquivo é maior do que o permitido para o tipo (DICOM 1 GiB, imagens 25 MiB, documentos 100 MiB). Divida ou comprima.",
    es: "El archivo supera el tamaño permitido para su tipo (DICOM 1 GiB, imágenes 25 MiB, documentos 100 MiB). Divídelo o comprímelo.",
  },
  subject_unknown: {
    en: "The data subject named for this upload does not exist. Choose the patient again.",
    "pt-BR": "O titular de dados indicado para este envio não existe. Escolha o paciente de novo.",
    es: "El titular de datos indicado para este envío no existe. Vuelve a elegir al paciente.",
  },
  upload_incomplete: {
    en: "The upload was not finished. Send it again.",
    "pt-BR": "O envio não foi concluído. Envie de novo.",
    es: "El envío no terminó. Envíalo de nuevo.",
  },
  upload_not_pending: {
    en: "This upload was already completed or cancelled. Start a new upload.",
    "pt-BR": "Este envio já foi concluído ou cancelado. Comece um novo envio.",
    es: "Este envío ya se completó o se canceló. Empieza un envío nuevo.",
  },
  upload_expired: {
    en: "The upload took too long and its links expired. Start it again.",
    "pt-BR": "O envio demorou demais e os links expiraram. Comece de novo.",
    es: "El envío tardó demasiado y sus enlaces caducaron. Empiézalo de nuevo.",
  },
  upload_parts_required: {
    en: "The large-file upload did not list its parts. Start it again.",
    "pt-BR": "O envio de arquivo grande não listou as partes. Comece de novo.",
    es: "El envío del archivo grande no indicó sus partes. Empiézalo de nuevo.",
  },
  upload_parts_invalid: {
    en: "Some parts of the file did not arrive intact. Start the upload again.",
    "pt-BR": "Algumas partes do arquivo não chegaram íntegras. Comece o envio de novo.",
    es: "Algunas partes del archivo no llegaron íntegras. Empieza el envío de nuevo.",
  },
  upload_missing: {
    en: "The file never reached storage. Check your connection and upload it again.",
    "pt-BR": "O arquivo não chegou ao armazenamento. Verifique a conexão e envie de novo.",
    es: "El archivo nunca llegó al almacenamiento. Revisa tu conexión y vuelve a enviarlo.",
  },
  upload_size_mismatch: {
    en: "The stored file does not have the expected size; it was discarded. Upload it again.",
    "pt-BR": "O arquivo armazenado não tem o tamanho esperado e foi descartado. Envie de novo.",
    es: "El archivo almacenado no tiene el tamaño esperado; se descartó. Envíalo de nuevo.",
  },
  upload_checksum_mismatch: {
    en: "The stored file does not match its SHA-256 fingerprint (it changed in transit); it was discarded. Upload it again.",
    "pt-BR":
      "O arquivo armazenado não confere com a impressão SHA-256 (mudou no caminho) e foi descartado. Envie de novo.",
    es: "El archivo almacenado no coincide con su huella SHA-256 (cambió por el camino); se descartó. Envíalo de nuevo.",
  },
  upload_type_mismatch: {
    en: "The file's content is not what its type says; it was discarded. Check the file.",
    "pt-BR": "O conteúdo do arquivo não corresponde ao tipo declarado e foi descartado. Confira o arquivo.",
    es: "El contenido del archivo no es lo que indica su tipo; se descartó. Revisa el archivo.",
  },
  upload_not_dicom: {
    en: "This is not a DICOM Part 10 file (no DICM marker); it was discarded. Export the study as DICOM files and try again.",
    "pt-BR":
      "Este não é um arquivo DICOM Part 10 (sem o marcador DICM) e foi descartado. Exporte o estudo como arquivos DICOM e tente de novo.",
    es: "No es un archivo DICOM Parte 10 (falta la marca DICM); se descartó. Exporta el estudio como archivos DICOM e inténtalo de nuevo.",
  },
  upload_dicom_invalid: {
    en: "The DICOM header could not be read; the file was discarded. Check the file in your DICOM viewer.",
    "pt-BR":
      "O cabeçalho DICOM não pôde ser lido e o arquivo foi descartado. Confira o arquivo no seu visualizador DICOM.",
    es: "No se pudo leer la cabecera DICOM; el archivo se descartó. Revisa el archivo en tu visor DICOM.",
  },
  upload_part_failed: {
    en: "A part of the file failed to upload after several tries. Check your connection and press Retry.",
    "pt-BR": "Uma parte do arquivo falhou após várias tentativas. Verifique a conexão e clique em Tentar de novo.",
    es: "Una parte del archivo no se pudo enviar tras varios intentos. Revisa tu conexión y pulsa Reintentar.",
  },
  cpf_invalid: {
    en: "That CPF is not valid (its check digits do not match). Check the 11 digits.",
    "pt-BR": "Esse CPF não é válido (os dígitos verificadores não conferem). Confira os 11 dígitos.",
    es: "Ese CPF no es válido (sus dígitos de control no coinciden). Revisa los 11 dígitos.",
  },
  invalid_cursor: {
    en: "The list changed position. Go back to the first page.",
    "pt-BR": "A lista mudou de posição. Volte para a primeira página.",
    es: "La lista cambió de posición. Vuelve a la primera página.",
  },
  invalid_current_password: {
    en: "Your current password is not right.",
    "pt-BR": "A senha atual está incorreta.",
    es: "Tu contraseña actual no es correcta.",
  },
  cannot_suspend_self: {
    en: "You cannot suspend yourself. Ask another administrator.",
    "pt-BR": "Você não pode suspender a si mesmo. Peça a outro administrador.",
    es: "No puedes suspenderte a ti mismo. Pídelo a otro administrador.",
  },
  last_admin: {
    en: "This is the clinic's last active administrator. Make someone else an administrator first.",
    "pt-BR": "Este é o último administrador ativo da clínica. Torne outra pessoa administradora primeiro.",
    es: "Es el último administrador activo de la clínica. Haz administrador a otra persona primero.",
  },
  already_member: {
    en: "This person is a member already. Change their roles in the list instead.",
    "pt-BR": "Esta pessoa já é membro. Altere os papéis dela na lista.",
    es: "Esta persona ya es miembro. Cambia sus roles en la lista.",
  },
  invitation_invalid: {
    en: "This invitation was already used, was revoked or has expired. Ask the clinic's administrator for a new one.",
    "pt-BR": "Este convite já foi usado, foi revogado ou expirou. Peça um novo ao administrador da clínica.",
    es: "Esta invitación ya se usó, fue revocada o caducó. Pide una nueva al administrador de la clínica.",
  },
  sign_in_required: {
    en: "This e-mail address already has an account. Type its current password to accept the invitation.",
    "pt-BR": "Este e-mail já tem uma conta. Digite a senha atual dela para aceitar o convite.",
    es: "Este correo ya tiene una cuenta. Escribe su contraseña actual para aceptar la invitación.",
  },
  reset_token_invalid: {
    en: "This link was already used, has expired (after 30 minutes) or a newer one was sent. Ask for a new link.",
    "pt-BR": "Este link já foi usado, expirou (após 30 minutos) ou um mais novo foi enviado. Peça um novo link.",
    es: "Este enlace ya se usó, caducó (tras 30 minutos) o se envió uno más reciente. Pide un enlace nuevo.",
  },
  validation_failed: {
    en: "Some fields are not valid. Check the highlighted fields and try again.",
    "pt-BR": "Alguns campos não são válidos. Confira os campos indicados e tente de novo.",
    es: "Algunos campos no son válidos. Revisa los campos señalados e inténtalo de nuevo.",
  },
  malformed_request: {
    en: "The request could not be read. Reload the page and try again.",
    "pt-BR": "O pedido não pôde ser lido. Recarregue a página e tente de novo.",
    es: "No se pudo leer la solicitud. Recarga la página e inténtalo de nuevo.",
  },
  not_found: {
    en: "This item does not exist or you cannot see it. Go back to the list.",
    "pt-BR": "Este item não existe ou você não pode vê-lo. Volte para a lista.",
    es: "Este elemento no existe o no puedes verlo. Vuelve a la lista.",
  },
  payload_too_large: {
    en: "This is too large to send. Make it smaller and try again.",
    "pt-BR": "Isto é grande demais para enviar. Reduza e tente de novo.",
    es: "Es demasiado grande para enviarlo. Redúcelo e inténtalo de nuevo.",
  },
  rate_limited: {
    en: "Too many requests in a short time. Wait a minute and try again.",
    "pt-BR": "Pedidos demais em pouco tempo. Aguarde um minuto e tente de novo.",
    es: "Demasiadas solicitudes en poco tiempo. Espera un minuto e inténtalo de nuevo.",
  },
  config_invalid: {
    en: "The server is not configured correctly. Tell your administrator; nothing you can fix here.",
    "pt-BR": "O servidor não está configurado corretamente. Avise o administrador; não há o que corrigir aqui.",
    es: "El servidor no está bien configurado. Avisa a tu administrador; no es algo que puedas arreglar aquí.",
  },
  dependency_unavailable: {
    en: "A service Vitalis depends on is not answering. Try again in a few minutes.",
    "pt-BR": "Um serviço do qual o Vitalis depende não está respondendo. Tente de novo em alguns minutos.",
    es: "Un servicio del que depende Vitalis no responde. Inténtalo de nuevo en unos minutos.",
  },
  timeout: {
    en: "The server took too long to answer. Try again.",
    "pt-BR": "O servidor demorou demais para responder. Tente de novo.",
    es: "El servidor tardó demasiado en responder. Inténtalo de nuevo.",
  },
  internal_error: {
    en: "Something went wrong on the server. Try again; if it keeps happening, tell your administrator the reference below.",
    "pt-BR": "Algo deu errado no servidor. Tente de novo; se continuar, informe ao administrador a referência abaixo.",
    es: "Algo salió mal en el servidor. Inténtalo de nuevo; si sigue ocurriendo, comunica a tu administrador la referencia de abajo.",
  },
  network_error: {
    en: "Could not reach the server. Check your connection and try again.",
    "pt-BR": "Não foi possível falar com o servidor. Verifique a sua conexão e tente de novo.",
    es: "No se pudo contactar con el servidor. Revisa tu conexión e inténtalo de nuevo.",
  },
  token_not_allowed: {
    en: "An API token cannot manage API tokens. Sign in as a person to create or revoke tokens.",
    "pt-BR": "Um token de API não pode gerenciar tokens de API. Entre como pessoa para criar ou revogar tokens.",
    es: "Un token de API no puede gestionar tokens de API. Inicia sesión como persona para crear o revocar tokens.",
  },
  invalid_expiry: {
    en: "Choose an expiry date in the future, at most one year from today.",
    "pt-BR": "Escolha uma data de expiração no futuro, de no máximo um ano a partir de hoje.",
    es: "Elige una fecha de caducidad en el futuro, como máximo un año a partir de hoy.",
  },
  too_many_tokens: {
    en: "You have reached the limit of active API tokens. Revoke one you no longer use, then create the new one.",
    "pt-BR": "Você atingiu o limite de tokens de API ativos. Revogue um que não usa mais e crie o novo.",
    es: "Has alcanzado el límite de tokens de API activos. Revoca uno que ya no uses y crea el nuevo.",
  },
  registration_token_invalid: {
    en: "This confirmation link was used, has expired or is not valid. Register again to get a new one.",
    "pt-BR": "Este link de confirmação já foi usado, expirou ou não é válido. Cadastre-se de novo para receber outro.",
    es: "Este enlace de confirmación ya se usó, caducó o no es válido. Regístrate de nuevo para recibir otro.",
  },
  token_phi_refused: {
    en: "API tokens never reach personal health data. Sign in as a person with the right role to see it.",
    "pt-BR": "Tokens de API nunca acessam dados pessoais de saúde. Entre como pessoa com o papel adequado para vê-los.",
    es: "Los tokens de API nunca acceden a datos personales de salud. Inicia sesión como persona con el rol adecuado para verlos.",
  },
  token_route_refused: {
    en: "This operation is not open to API tokens. Sign in as a person to do it.",
    "pt-BR": "Esta operação não está aberta a tokens de API. Entre como pessoa para realizá-la.",
    es: "Esta operación no está abierta a los tokens de API. Inicia sesión como persona para realizarla.",
  },
  insufficient_scope: {
    en: "This API token lacks the scope this needs. Create a token with that scope.",
    "pt-BR": "Este token de API não tem o escopo necessário. Crie um token com esse escopo.",
    es: "Este token de API no tiene el alcance necesario. Crea un token con ese alcance.",
  },
  csrf_refused: {
    en: "This form did not come from this site. Reload the page and try again.",
    "pt-BR": "Este formulário não veio deste site. Recarregue a página e tente de novo.",
    es: "Este formulario no vino de este sitio. Recarga la página e inténtalo de nuevo.",
  },
  no_revision: {
    en: "Save the item before analysing it.",
    "pt-BR": "Salve o item antes de analisá-lo.",
    es: "Guarda el elemento antes de analizarlo.",
  },
  invalid_period: {
    en: "Check the period: the end must not be before the start, and ask for at most a year at a time.",
    "pt-BR": "Confira o período: o fim não pode ser antes do início, e peça no máximo um ano de cada vez.",
    es: "Revisa el período: el final no puede ser anterior al inicio, y pide como máximo un año a la vez.",
  },
  break_glass_active: {
    en: "An emergency access is still open. It can be reviewed once it has ended, and you can't open a second one meanwhile.",
    "pt-BR":
      "Há um acesso de emergência ainda aberto. Ele pode ser revisado quando terminar, e não é possível abrir outro enquanto isso.",
    es: "Hay un acceso de emergencia todavía abierto. Se puede revisar cuando termine, y no se puede abrir otro mientras tanto.",
  },
  break_glass_reviewed: {
    en: "This emergency access was already reviewed. Reload the list.",
    "pt-BR": "Este acesso de emergência já foi revisado. Recarregue a lista.",
    es: "Este acceso de emergencia ya fue revisado. Recarga la lista.",
  },
  dicom_dataset_invalid: {
    en: "This DICOM file is damaged or incomplete, so it can't be de-identified. Upload the study again from its source.",
    "pt-BR":
      "Este arquivo DICOM está danificado ou incompleto e não pode ser desidentificado. Envie o estudo de novo a partir da origem.",
    es: "Este archivo DICOM está dañado o incompleto y no se puede desidentificar. Sube el estudio de nuevo desde su origen.",
  },
  dicom_transfer_syntax_unsupported: {
    en: "This study's encoding (transfer syntax) can't be de-identified here. Export it from the PACS in little-endian encoding (not deflated or big-endian) and upload it again.",
    "pt-BR":
      "A codificação deste estudo (sintaxe de transferência) não pode ser desidentificada aqui. Exporte-o do PACS em codificação little-endian (não deflated nem big-endian) e envie de novo.",
    es: "La codificación de este estudio (sintaxis de transferencia) no se puede desidentificar aquí. Expórtalo del PACS en codificación little-endian (no deflated ni big-endian) y súbelo de nuevo.",
  },
  dicom_too_large: {
    en: "This study is too large to be de-identified here (at most 48 MiB). Split the series and upload them separately.",
    "pt-BR":
      "Este estudo é grande demais para ser desidentificado aqui (no máximo 48 MiB). Separe as séries e envie cada uma.",
    es: "Este estudio es demasiado grande para desidentificarlo aquí (como máximo 48 MiB). Separa las series y súbelas por separado.",
  },
  media_not_dicom_study: {
    en: "Only an uploaded DICOM study can be de-identified.",
    "pt-BR": "Só um estudo DICOM enviado pode ser desidentificado.",
    es: "Solo un estudio DICOM subido se puede desidentificar.",
  },
  annotation_review_not_pending: {
    en: "This copy is not waiting for a review of burned-in annotations (it may have changed meanwhile). Reload it.",
    "pt-BR":
      "Esta cópia não está aguardando revisão de anotações gravadas na imagem (pode ter mudado nesse meio-tempo). Recarregue.",
    es: "Esta copia no está esperando la revisión de anotaciones grabadas en la imagen (puede haber cambiado mientras tanto). Recárgala.",
  },
  invalid_discovery: {
    en: "The date you learned of the incident can't be in the future.",
    "pt-BR": "A data em que o incidente foi conhecido não pode estar no futuro.",
    es: "La fecha en que se conoció el incidente no puede estar en el futuro.",
  },
  incident_closed: {
    en: "This incident is closed; its record can no longer change.",
    "pt-BR": "Este incidente está encerrado; o registro não pode mais mudar.",
    es: "Este incidente está cerrado; su registro ya no puede cambiar.",
  },
  incident_incomplete: {
    en: "Fill in the affected data categories and the measures taken first.",
    "pt-BR": "Preencha primeiro as categorias de dados afetadas e as medidas adotadas.",
    es: "Completa primero las categorías de datos afectadas y las medidas adoptadas.",
  },
  dpo_required: {
    en: "Name the data protection officer (DPO) in the settings first.",
    "pt-BR": "Indique primeiro o encarregado de dados (DPO) nas configurações.",
    es: "Indica primero el delegado de protección de datos (DPO) en la configuración.",
  },
  legal_hold_released: {
    en: "This legal hold was already released.",
    "pt-BR": "Esta retenção legal já foi liberada.",
    es: "Esta retención legal ya fue liberada.",
  },
  consent_withdrawn: {
    en: "This consent was already withdrawn.",
    "pt-BR": "Este consentimento já foi revogado.",
    es: "Este consentimiento ya fue revocado.",
  },
  correction_required: {
    en: "Say what should be corrected.",
    "pt-BR": "Diga o que deve ser corrigido.",
    es: "Indica qué se debe corregir.",
  },
  privacy_request_closed: {
    en: "This request was already answered.",
    "pt-BR": "Esta solicitação já foi respondida.",
    es: "Esta solicitud ya fue respondida.",
  },
  subject_identity_required: {
    en: "Identify the data subject by e-mail or CPF.",
    "pt-BR": "Identifique o titular pelo e-mail ou pelo CPF.",
    es: "Identifica al titular por correo electrónico o CPF.",
  },
  media_unknown: {
    en: "The media item to replace no longer exists. Reload the library.",
    "pt-BR": "O item de mídia a substituir não existe mais. Recarregue a biblioteca.",
    es: "El elemento multimedia a reemplazar ya no existe. Recarga la biblioteca.",
  },
  media_not_replaceable: {
    en: "This item can't be replaced: only an image without a data subject can replace an image without a data subject, and only while it can still change.",
    "pt-BR":
      "Este item não pode ser substituído: só uma imagem sem titular pode substituir uma imagem sem titular, e só enquanto ela ainda pode mudar.",
    es: "Este elemento no se puede reemplazar: solo una imagen sin titular puede reemplazar una imagen sin titular, y solo mientras aún pueda cambiar.",
  },
  upload_not_yours: {
    en: "Only the person who started this upload, or an admin, can finish or cancel it.",
    "pt-BR": "Só quem iniciou este envio, ou um administrador, pode concluí-lo ou cancelá-lo.",
    es: "Solo quien inició esta subida, o un administrador, puede completarla o cancelarla.",
  },
  media_not_image: {
    en: "Only images can appear on the public site.",
    "pt-BR": "Só imagens podem aparecer no site público.",
    es: "Solo las imágenes pueden aparecer en el sitio público.",
  },
  media_not_publishable: {
    en: "An image of a patient, or one carrying health data, can never appear on the public site.",
    "pt-BR": "Uma imagem de paciente, ou que contenha dados de saúde, nunca pode aparecer no site público.",
    es: "Una imagen de un paciente, o que contenga datos de salud, nunca puede aparecer en el sitio público.",
  },
  media_blocked: {
    en: "This item is blocked: it is kept only to meet a legal obligation and can't be used.",
    "pt-BR": "Este item está bloqueado: é mantido só para cumprir uma obrigação legal e não pode ser usado.",
    es: "Este elemento está bloqueado: se conserva solo para cumplir una obligación legal y no se puede usar.",
  },
  media_format_not_public: {
    en: "The public site shows JPEG, PNG and WebP images only. Convert the image and upload it again.",
    "pt-BR": "O site público mostra só imagens JPEG, PNG e WebP. Converta a imagem e envie de novo.",
    es: "El sitio público solo muestra imágenes JPEG, PNG y WebP. Convierte la imagen y súbela de nuevo.",
  },
  image_too_large: {
    en: "This image has too many pixels for the public site (at most 16 megapixels). Reduce it and upload it again.",
    "pt-BR": "Esta imagem tem pixels demais para o site público (no máximo 16 megapixels). Reduza-a e envie de novo.",
    es: "Esta imagen tiene demasiados píxeles para el sitio público (como máximo 16 megapíxeles). Redúcela y súbela de nuevo.",
  },
  media_alt_text_required: {
    en: "Give the image its alt text (what it shows, for people who can't see it) before it appears on the public site.",
    "pt-BR":
      "Dê à imagem um texto alternativo (o que ela mostra, para quem não pode vê-la) antes que ela apareça no site público.",
    es: "Dale a la imagen su texto alternativo (lo que muestra, para quien no puede verla) antes de que aparezca en el sitio público.",
  },
};

const BY_STATUS: Readonly<Record<number, string>> = {
  400: "malformed_request",
  401: "unauthenticated",
  403: "forbidden",
  404: "not_found",
  409: "version_conflict",
  413: "payload_too_large",
  422: "validation_failed",
  428: "if_match_required",
  429: "rate_limited",
  503: "dependency_unavailable",
};

/** Whether a code has a message of its own (used by tests to keep the table complete). */
export function knownCode(code: string): boolean {
  return code in MESSAGES;
}

/** The message for a problem, in the UI's language; unknown codes fall back by status, then generic. */
export function problemMessage(problem: Pick<Problem, "code" | "status" | "detail">, lang: Lang): string {
  const text = MESSAGES[problem.code] ?? MESSAGES[BY_STATUS[problem.status] ?? ""] ?? MESSAGES.internal_error!;
  return text[lang];
}

/** Field-level validation messages ("json.title: …" → "title: …"), values never included by the API. */
export function fieldErrors(problem: Problem): Array<{ field: string; message: string }> {
  const list = Array.isArray(problem.errors) ? problem.errors : [];
  return list.map((error) => ({
    field: String(error.path ?? "").replace(/^(json|query|param|header)\./, ""),
    message: String(error.message ?? ""),
  }));
}
