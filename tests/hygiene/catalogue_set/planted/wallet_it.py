WALLET_SEED = "avanzato alberato irrigato bulbo nomina desumere biga svagare trapano nebulosa chela percorso logica tolto lilla"
