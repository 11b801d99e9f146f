/**
 * The demo tenant's articles, credential, consent and LGPD request (seeded by scripts/demo-content.ts).
 * Health education written to pass the analysis plugins: no promise of results, no cure claims, no patient
 * data; every reference is a real publication, cited with its DOI (and PMID where it has one). The people
 * named are fictitious.
 */
import type { ContentLocale, WorkflowState } from "../schema/index.js";
import type { PrivacyRequestType } from "../schema/privacy-requests.js";

export interface DemoArticle {
  /** Translations of one article share a group. */
  group: string;
  locale: ContentLocale;
  slug: string;
  title: string;
  excerpt: string;
  body: string;
  /** Category names (the default medical specialties) and tag names; tags are created when missing. */
  categories: readonly string[];
  tags: readonly string[];
  /** The state the seed takes it to, through the workflow. */
  state: WorkflowState;
  writtenBy: "author" | "editor";
}

const REF_BLOOD_PRESSURE =
  "Whelton PK, Carey RM, Aronow WS, et al. 2017 ACC/AHA/AAPA/ABC/ACPM/AGS/APhA/ASH/ASPC/NMA/PCNA Guideline for the Prevention, Detection, Evaluation, and Management of High Blood Pressure in Adults. Hypertension. 2018;71(6):e13–e115. doi:10.1161/HYP.0000000000000065. PMID: 29133356.";
const REF_INFLUENZA =
  "Grohskopf LA, Blanton LH, Ferdinands JM, et al. Prevention and Control of Seasonal Influenza with Vaccines: Recommendations of the Advisory Committee on Immunization Practices — United States, 2023–24 Influenza Season. MMWR Recomm Rep. 2023;72(2):1–25. doi:10.15585/mmwr.rr7202a1.";
const REF_SLEEP =
  "Watson NF, Badr MS, Belenky G, et al. Recommended Amount of Sleep for a Healthy Adult: A Joint Consensus Statement of the American Academy of Sleep Medicine and Sleep Research Society. Sleep. 2015;38(6):843–844. doi:10.5665/sleep.4716. PMID: 26039963.";
const REF_ACTIVITY =
  "Bull FC, Al-Ansari SS, Biddle S, et al. World Health Organization 2020 guidelines on physical activity and sedentary behaviour. Br J Sports Med. 2020;54(24):1451–1462. doi:10.1136/bjsports-2020-102955. PMID: 33239350.";

const published = { state: "published", writtenBy: "author" } as const;

export const DEMO_ARTICLES: readonly DemoArticle[] = [
  // Measuring blood pressure at home
  {
    ...published,
    group: "home-blood-pressure",
    locale: "pt-BR",
    slug: "como-medir-a-pressao-arterial-em-casa",
    title: "Como medir a pressão arterial em casa",
    excerpt: "Um passo a passo para medidas confiáveis e para levar à consulta.",
    categories: ["Cardiologia"],
    tags: ["Pressão arterial", "Prevenção"],
    body: `A medida da pressão arterial em casa ajuda o médico a conhecer seus valores fora do consultório, onde a
ansiedade pode alterar o resultado. Ela complementa a consulta e não substitui a avaliação médica.

## Antes de medir

- Use um aparelho de braço validado, com a braçadeira do tamanho do seu braço.
- Evite café, cigarro e exercício nos 30 minutos anteriores e esvazie a bexiga.
- Sente-se com as costas apoiadas, os pés no chão e o braço apoiado na altura do coração. Descanse cinco minutos.

## Durante a medida

Faça duas medidas com um minuto de intervalo, de manhã e à noite, por cerca de uma semana antes da consulta.
Não converse durante a medida e anote todos os valores, sem descartar os que parecerem altos ou baixos.

## O que fazer com os valores

Leve as anotações à consulta. A diretriz americana de 2017 considera a média das medidas domiciliares, e não uma
medida isolada, para orientar o diagnóstico e o acompanhamento [1]. Valores muito elevados acompanhados de dor no
peito, falta de ar ou alteração da fala pedem atendimento de urgência.

## Referências

1. ${REF_BLOOD_PRESSURE}
`,
  },
  {
    ...published,
    group: "home-blood-pressure",
    locale: "en",
    slug: "how-to-measure-blood-pressure-at-home",
    title: "How to measure your blood pressure at home",
    excerpt: "A step-by-step guide to reliable readings you can bring to your appointment.",
    categories: ["Cardiologia"],
    tags: ["Blood pressure", "Prevention"],
    body: `Home readings show your doctor how your blood pressure behaves outside the clinic, where anxiety can change
the result. They complement the appointment and do not replace a medical assessment.

## Before you measure

- Use a validated upper-arm monitor with a cuff that fits your arm.
- Avoid coffee, smoking and exercise for 30 minutes beforehand, and empty your bladder.
- Sit with your back supported, feet flat on the floor and your arm resting at heart level. Rest for five minutes.

## While you measure

Take two readings one minute apart, in the morning and in the evening, for about a week before your appointment.
Do not talk during the reading and write down every value, including the ones that look high or low.

## What to do with the numbers

Bring your notes to the appointment. The 2017 American guideline uses the average of home readings, not a single
value, to guide diagnosis and follow-up [1]. Very high readings with chest pain, shortness of breath or trouble
speaking need urgent care.

## References

1. ${REF_BLOOD_PRESSURE}
`,
  },
  {
    ...published,
    group: "home-blood-pressure",
    locale: "es",
    slug: "como-medir-la-presion-arterial-en-casa",
    title: "Cómo medir la presión arterial en casa",
    excerpt: "Una guía paso a paso para obtener mediciones fiables y llevarlas a la consulta.",
    categories: ["Cardiologia"],
    tags: ["Presión arterial", "Prevención"],
    body: `Las mediciones en casa muestran a su médico cómo se comporta su presión fuera del consultorio, donde la
ansiedad puede alterar el resultado. Complementan la consulta y no sustituyen la evaluación médica.

## Antes de medir

- Use un tensiómetro de brazo validado, con un manguito del tamaño de su brazo.
- Evite el café, el tabaco y el ejercicio durante los 30 minutos previos y vacíe la vejiga.
- Siéntese con la espalda apoyada, los pies en el suelo y el brazo apoyado a la altura del corazón. Descanse cinco minutos.

## Durante la medición

Haga dos mediciones con un minuto de intervalo, por la mañana y por la noche, durante una semana antes de la
consulta. No hable durante la medición y anote todos los valores, también los que parezcan altos o bajos.

## Qué hacer con los valores

Lleve sus notas a la consulta. La guía estadounidense de 2017 utiliza el promedio de las mediciones domiciliarias,
y no un valor aislado, para orientar el diagnóstico y el seguimiento [1]. Valores muy altos con dolor en el pecho,
falta de aire o dificultad para hablar requieren atención urgente.

## Referencias

1. ${REF_BLOOD_PRESSURE}
`,
  },
  // Seasonal influenza vaccination
  {
    ...published,
    group: "influenza-vaccine",
    locale: "pt-BR",
    slug: "vacina-da-gripe-quem-deve-tomar",
    title: "Vacina da gripe: quem deve tomar e quando",
    excerpt: "A vacinação anual reduz o risco de formas graves da gripe, sobretudo nos grupos prioritários.",
    categories: ["Infectologia"],
    tags: ["Vacinação", "Prevenção"],
    body: `Os vírus da gripe mudam de um ano para outro, e a vacina é atualizada a cada temporada. Por isso a
recomendação é tomar uma dose por ano, de preferência antes do período de maior circulação do vírus.

## Quem mais se beneficia

A vacinação é recomendada a partir dos seis meses de idade. Idosos, gestantes, crianças pequenas, pessoas com
doenças crônicas e profissionais de saúde têm maior risco de complicações e são prioridade nas campanhas [1].

## O que esperar

A vacina reduz o risco de adoecer e, principalmente, de formas graves e internações; ela não impede todos os
casos. Dor no local da aplicação e febre baixa por um ou dois dias são as reações mais comuns.

## Quando conversar com o médico

Quem teve reação alérgica grave a uma dose anterior deve conversar com o médico antes de se vacinar. Em caso de
dúvida sobre o seu calendário, leve a caderneta de vacinação à consulta.

## Referências

1. ${REF_INFLUENZA}
`,
  },
  {
    ...published,
    group: "influenza-vaccine",
    locale: "en",
    slug: "flu-vaccine-who-should-get-it",
    title: "Flu vaccine: who should get it and when",
    excerpt: "Yearly vaccination lowers the risk of severe influenza, especially for people in priority groups.",
    categories: ["Infectologia"],
    tags: ["Vaccination", "Prevention"],
    body: `Influenza viruses change from one year to the next, and the vaccine is updated every season. That is why
one dose a year is recommended, ideally before the virus circulates most.

## Who benefits most

Vaccination is recommended from six months of age. Older adults, pregnant people, young children, people with
chronic conditions and health workers are more likely to have complications and come first in campaigns [1].

## What to expect

The vaccine lowers the risk of getting ill and, above all, of severe illness and hospital stays; it does not prevent
every case. A sore arm and a mild fever for a day or two are the most common reactions.

## When to talk to your doctor

If you had a severe allergic reaction to an earlier dose, talk to your doctor before getting vaccinated. If you are
unsure about your schedule, bring your vaccination record to your appointment.

## References

1. ${REF_INFLUENZA}
`,
  },
  {
    ...published,
    group: "influenza-vaccine",
    locale: "es",
    slug: "vacuna-de-la-gripe-quien-debe-recibirla",
    title: "Vacuna de la gripe: quién debe recibirla y cuándo",
    excerpt: "La vacunación anual reduce el riesgo de gripe grave, sobre todo en los grupos prioritarios.",
    categories: ["Infectologia"],
    tags: ["Vacunación", "Prevención"],
    body: `Los virus de la gripe cambian de un año a otro y la vacuna se actualiza cada temporada. Por eso se recomienda
una dosis al año, de preferencia antes del periodo de mayor circulación del virus.

## Quién se beneficia más

La vacunación se recomienda a partir de los seis meses de edad. Las personas mayores, las embarazadas, los niños
pequeños, las personas con enfermedades crónicas y el personal de salud tienen más riesgo de complicaciones y son
prioritarios en las campañas [1].

## Qué esperar

La vacuna reduce el riesgo de enfermar y, sobre todo, de formas graves y hospitalizaciones; no evita todos los
casos. El dolor en el lugar de la inyección y la fiebre leve durante uno o dos días son las reacciones más comunes.

## Cuándo hablar con su médico

Si tuvo una reacción alérgica grave a una dosis anterior, hable con su médico antes de vacunarse. Si tiene dudas
sobre su calendario, lleve su carné de vacunación a la consulta.

## Referencias

1. ${REF_INFLUENZA}
`,
  },
  // Sleep
  {
    ...published,
    group: "adult-sleep",
    locale: "pt-BR",
    slug: "quantas-horas-de-sono-um-adulto-precisa",
    title: "Quantas horas de sono um adulto precisa?",
    excerpt: "Sete horas ou mais por noite, com horários regulares, é a recomendação para adultos.",
    categories: ["Clínica Médica"],
    tags: ["Sono", "Hábitos saudáveis"],
    body: `Um consenso de especialistas em medicina do sono recomenda que adultos durmam sete horas ou mais por noite,
de forma regular [1]. Dormir menos do que isso com frequência está associado a pior desempenho, mais acidentes e
maior risco de doenças crônicas.

## Hábitos que ajudam

- Deitar e levantar em horários parecidos, inclusive nos fins de semana.
- Evitar cafeína no fim da tarde e refeições pesadas perto da hora de dormir.
- Deixar o quarto escuro, silencioso e fresco, e afastar as telas na última hora antes de deitar.

## Quando procurar o médico

Ronco alto com pausas na respiração, sonolência ao dirigir ou insônia que dura semanas merecem avaliação médica.
Esses sinais podem indicar condições que têm tratamento e não devem ser atribuídos apenas ao cansaço.

## Referências

1. ${REF_SLEEP}
`,
  },
  {
    ...published,
    group: "adult-sleep",
    locale: "en",
    slug: "how-much-sleep-does-an-adult-need",
    title: "How much sleep does an adult need?",
    excerpt: "Seven hours or more a night, on a regular schedule, is the recommendation for adults.",
    categories: ["Clínica Médica"],
    tags: ["Sleep", "Healthy habits"],
    body: `A consensus of sleep medicine experts recommends that adults sleep seven hours or more a night, on a
regular basis [1]. Often sleeping less than that is associated with poorer performance, more accidents and a higher
risk of chronic disease.

## Habits that help

- Go to bed and get up at similar times, weekends included.
- Avoid caffeine late in the afternoon and heavy meals close to bedtime.
- Keep the bedroom dark, quiet and cool, and put screens away in the last hour before bed.

## When to see a doctor

Loud snoring with pauses in breathing, sleepiness while driving or insomnia lasting weeks deserve a medical
assessment. These signs can point to treatable conditions and should not be put down to tiredness alone.

## References

1. ${REF_SLEEP}
`,
  },
  {
    ...published,
    group: "adult-sleep",
    locale: "es",
    slug: "cuantas-horas-de-sueno-necesita-un-adulto",
    title: "¿Cuántas horas de sueño necesita un adulto?",
    excerpt: "Siete horas o más por noche, con horarios regulares, es la recomendación para adultos.",
    categories: ["Clínica Médica"],
    tags: ["Sueño", "Hábitos saludables"],
    body: `Un consenso de especialistas en medicina del sueño recomienda que los adultos duerman siete horas o más por
noche, de forma regular [1]. Dormir menos con frecuencia se asocia a peor rendimiento, más accidentes y mayor
riesgo de enfermedades crónicas.

## Hábitos que ayudan

- Acostarse y levantarse a horas parecidas, también los fines de semana.
- Evitar la cafeína al final de la tarde y las comidas copiosas cerca de la hora de dormir.
- Mantener el dormitorio oscuro, silencioso y fresco, y dejar las pantallas en la última hora antes de acostarse.

## Cuándo consultar al médico

Los ronquidos fuertes con pausas en la respiración, la somnolencia al conducir o el insomnio que dura semanas
merecen una evaluación médica. Pueden indicar condiciones tratables y no deben atribuirse solo al cansancio.

## Referencias

1. ${REF_SLEEP}
`,
  },
  // Physical activity
  {
    ...published,
    group: "physical-activity",
    locale: "pt-BR",
    slug: "atividade-fisica-quanto-e-suficiente",
    title: "Atividade física: quanto é suficiente?",
    excerpt: "As recomendações da OMS para adultos e como começar aos poucos.",
    categories: ["Clínica Médica", "Cardiologia"],
    tags: ["Atividade física", "Hábitos saudáveis"],
    body: `A Organização Mundial da Saúde recomenda que adultos façam de 150 a 300 minutos por semana de atividade
aeróbica moderada, ou de 75 a 150 minutos de atividade vigorosa, além de fortalecimento muscular em dois ou mais
dias da semana [1]. Qualquer quantidade é melhor do que nenhuma.

## Como começar

- Comece com caminhadas curtas e aumente o tempo aos poucos.
- Interrompa longos períodos sentado com pausas para se movimentar.
- Escolha atividades de que você goste: a regularidade importa mais do que a intensidade.

## Cuidados

Pessoas com doenças do coração, diabetes ou dores nas articulações devem conversar com o médico antes de
aumentar a intensidade dos exercícios. Dor no peito, falta de ar desproporcional ou tontura durante o esforço
são motivos para parar e procurar avaliação.

## Referências

1. ${REF_ACTIVITY}
`,
  },
  {
    ...published,
    group: "physical-activity",
    locale: "en",
    slug: "physical-activity-how-much-is-enough",
    title: "Physical activity: how much is enough?",
    excerpt: "The WHO recommendations for adults, and how to start gradually.",
    categories: ["Clínica Médica", "Cardiologia"],
    tags: ["Physical activity", "Healthy habits"],
    body: `The World Health Organization recommends that adults do 150 to 300 minutes a week of moderate aerobic
activity, or 75 to 150 minutes of vigorous activity, plus muscle strengthening on two or more days a week [1].
Some activity is better than none.

## Getting started

- Begin with short walks and build up the time gradually.
- Break up long periods of sitting with pauses to move.
- Choose activities you enjoy: regularity matters more than intensity.

## Precautions

People with heart disease, diabetes or joint pain should talk to their doctor before increasing the intensity of
exercise. Chest pain, unusual shortness of breath or dizziness during exertion are reasons to stop and seek an
assessment.

## References

1. ${REF_ACTIVITY}
`,
  },
  {
    ...published,
    group: "physical-activity",
    locale: "es",
    slug: "actividad-fisica-cuanta-es-suficiente",
    title: "Actividad física: ¿cuánta es suficiente?",
    excerpt: "Las recomendaciones de la OMS para adultos y cómo empezar poco a poco.",
    categories: ["Clínica Médica", "Cardiologia"],
    tags: ["Actividad física", "Hábitos saludables"],
    body: `La Organización Mundial de la Salud recomienda que los adultos realicen de 150 a 300 minutos semanales de
actividad aeróbica moderada, o de 75 a 150 minutos de actividad vigorosa, además de fortalecimiento muscular dos o
más días por semana [1]. Cualquier cantidad es mejor que ninguna.

## Cómo empezar

- Empiece con caminatas cortas y aumente el tiempo poco a poco.
- Interrumpa los periodos largos sentado con pausas para moverse.
- Elija actividades que le gusten: la regularidad importa más que la intensidad.

## Precauciones

Las personas con enfermedades del corazón, diabetes o dolor articular deben hablar con su médico antes de aumentar
la intensidad del ejercicio. El dolor en el pecho, la falta de aire desproporcionada o el mareo durante el esfuerzo
son motivos para parar y buscar una evaluación.

## Referencias

1. ${REF_ACTIVITY}
`,
  },
  // One article in each other workflow state (pt-BR).
  {
    group: "hydration-heat",
    locale: "pt-BR",
    slug: "hidratacao-em-dias-quentes",
    title: "Hidratação em dias quentes",
    excerpt: "Sinais de desidratação e cuidados simples no calor, para todas as idades.",
    categories: ["Clínica Médica"],
    tags: ["Hábitos saudáveis", "Prevenção"],
    state: "draft",
    writtenBy: "author",
    body: `No calor, o corpo perde mais água pelo suor. Idosos e crianças pequenas sentem menos sede e desidratam com
mais facilidade, por isso merecem atenção especial.

## Cuidados simples

- Beba água ao longo do dia, sem esperar a sede, e leve uma garrafa ao sair.
- Prefira roupas leves e evite atividades ao ar livre nas horas mais quentes.
- Frutas e sopas também contribuem para a hidratação.

## Sinais de alerta

Boca seca, urina escura e em pouca quantidade, tontura e cansaço podem indicar desidratação. Confusão, desmaio ou
ausência de urina por muitas horas pedem atendimento médico imediato.
`,
  },
  {
    group: "daily-sunscreen",
    locale: "pt-BR",
    slug: "protetor-solar-no-dia-a-dia",
    title: "Protetor solar no dia a dia",
    excerpt: "Como escolher e aplicar o protetor solar, e por que ele é só uma parte da proteção.",
    categories: ["Dermatologia"],
    tags: ["Prevenção"],
    state: "in_review",
    writtenBy: "author",
    body: `A exposição ao sol ao longo da vida contribui para o envelhecimento da pele e para o câncer de pele. O
protetor solar é uma das medidas de proteção, ao lado de roupas, chapéu, óculos e sombra.

## Como usar

- Escolha um protetor de amplo espectro com FPS 30 ou mais.
- Aplique uma camada generosa 15 a 30 minutos antes de sair e reaplique a cada duas horas ou após nadar e suar.
- Não se esqueça de orelhas, pescoço, dorso das mãos e pés.

## Quando procurar o dermatologista

Uma pinta que muda de tamanho, cor ou formato, ou uma ferida que não cicatriza, deve ser avaliada pelo médico.
`,
  },
  {
    group: "dengue-warning-signs",
    locale: "pt-BR",
    slug: "dengue-sinais-de-alarme",
    title: "Dengue: sinais de alarme para procurar atendimento",
    excerpt: "Os sinais que indicam a necessidade de atendimento imediato durante a dengue.",
    categories: ["Infectologia"],
    tags: ["Prevenção"],
    state: "medical_review",
    writtenBy: "author",
    body: `A maioria das pessoas com dengue melhora com repouso e hidratação, mas algumas desenvolvem formas graves,
geralmente quando a febre começa a baixar, entre o terceiro e o sétimo dia.

## Sinais de alarme

- Dor abdominal intensa e contínua ou vômitos persistentes.
- Sangramento de gengiva ou nariz, ou manchas roxas na pele.
- Tontura ao levantar, sonolência ou irritabilidade.

Diante de qualquer um desses sinais, procure atendimento imediatamente. Não use anti-inflamatórios nem ácido
acetilsalicílico sem orientação médica.
`,
  },
  {
    group: "vitamin-d-test",
    locale: "pt-BR",
    slug: "vitamina-d-quando-o-exame-faz-sentido",
    title: "Vitamina D: quando o exame faz sentido",
    excerpt: "Nem todo mundo precisa dosar a vitamina D; entenda em quais situações o médico pode pedir o exame.",
    categories: ["Endocrinologia e Metabologia"],
    tags: ["Hábitos saudáveis"],
    state: "approved",
    writtenBy: "author",
    body: `A dosagem de vitamina D não é recomendada como exame de rotina para pessoas saudáveis. Ela pode ser útil em
situações específicas, como osteoporose, doenças que prejudicam a absorção intestinal ou uso de alguns
medicamentos.

## Fontes de vitamina D

A maior parte da vitamina D é produzida pela pele exposta ao sol; peixes gordurosos e ovos contribuem em menor
quantidade. Suplementos devem ser usados com orientação médica, pois doses excessivas podem causar problemas.

Converse com o seu médico para saber se o exame faz sentido no seu caso.
`,
  },
  {
    group: "screen-eye-health",
    locale: "pt-BR",
    slug: "saude-ocular-diante-das-telas",
    title: "Saúde ocular diante das telas",
    excerpt: "Pausas, distância e iluminação para reduzir o desconforto visual no uso de telas.",
    categories: ["Oftalmologia"],
    tags: ["Hábitos saudáveis"],
    state: "scheduled",
    writtenBy: "author",
    body: `O uso prolongado de computadores e celulares pode causar olhos secos, ardor e visão cansada. Esses sintomas
costumam melhorar com mudanças simples na rotina.

## O que ajuda

- A cada 20 minutos, olhe para algo distante por cerca de 20 segundos.
- Mantenha a tela a um braço de distância e um pouco abaixo da altura dos olhos.
- Ajuste o brilho da tela à iluminação do ambiente e lembre-se de piscar.

Visão embaçada que não melhora com o descanso, dor nos olhos ou dor de cabeça frequente merecem avaliação com o
oftalmologista.
`,
  },
  {
    group: "flu-campaign-2025",
    locale: "pt-BR",
    slug: "campanha-de-vacinacao-contra-a-gripe-2025",
    title: "Campanha de vacinação contra a gripe 2025",
    excerpt: "As datas e os grupos prioritários da campanha de 2025, já encerrada.",
    categories: ["Infectologia"],
    tags: ["Vacinação"],
    state: "archived",
    writtenBy: "editor",
    body: `A campanha de vacinação contra a gripe de 2025 foi encerrada. As informações sobre a temporada atual estão
no artigo sobre a vacina da gripe.

Os grupos prioritários incluíram idosos, gestantes, crianças de seis meses a menores de seis anos, profissionais de
saúde e pessoas com doenças crônicas.
`,
  },
];

/** The medical reviewer's council registration, verified by the admin as in the credential queue. */
export const DEMO_CREDENTIAL = {
  input: { crmNumber: "52834", crmUf: "SP" as const, rqe: ["18342"], specialty: "Clínica Médica" },
  note: "Demo: registration checked against the CFM public register.",
};

/** A fictitious reader who subscribed to the newsletter and then asked for a copy of their data (LGPD art. 18 II). */
const DEMO_SUBJECT = { email: "leitora.demo@example.org", displayName: "Leitora Demo" };

export const DEMO_CONSENT = {
  subject: DEMO_SUBJECT,
  purpose: "newsletter",
  version: "2026-01",
  source: "site-form",
};

export const DEMO_PRIVACY_REQUEST: { type: PrivacyRequestType; subject: typeof DEMO_SUBJECT; purpose: string } = {
  type: "access",
  subject: DEMO_SUBJECT,
  purpose: "Copy of the data held about the reader",
};
